/** heic-decode 2.x ships no types: the one call FetchImage makes (functions/fetch-image/views.ts). */
declare module 'heic-decode' {
  /** The primary image as straight RGBA, its rotation and mirroring applied. */
  export default function decode(input: { buffer: Uint8Array | ArrayBufferLike }): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
