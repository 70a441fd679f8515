// seek-bzip ships no types; this is the one function we use (its README: `Bunzip.decode(input) -> Buffer`).
declare module 'seek-bzip' {
  export function decode(input: Uint8Array): Buffer;
}
