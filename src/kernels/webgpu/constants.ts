// WebGPU's flag values, fixed by the specification. Spelled out here so that the kernels do not
// depend on the GPUBufferUsage/GPUMapMode globals, which Dawn's Node package only provides
// through its `globals` object.

export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const TextureUsage = { COPY_DST: 0x02, TEXTURE_BINDING: 0x04 } as const;

export const MapMode = { READ: 0x0001 } as const;

export const ShaderStage = { COMPUTE: 0x4 } as const;
