// The two Node APIs the library's display code uses, for the exported page: randomBytes(n).toString('hex') names
// comm targets; Buffer.from(bytes).toString('base64') and Buffer.from(text, 'base64') encode the explorer's int8
// activations (display/activations.ts).
class Bytes extends Uint8Array {
  toString(encoding) {
    if (encoding === 'hex') return Array.from(this, (b) => b.toString(16).padStart(2, '0')).join('');
    if (encoding !== 'base64') throw new Error(`page Buffer: no ${encoding} encoding`);
    let bin = '';
    for (let i = 0; i < this.length; i += 0x8000) bin += String.fromCharCode(...this.subarray(i, i + 0x8000));
    return btoa(bin);
  }
}

export const Buffer = {
  from(source, encoding) {
    if (typeof source === 'string') {
      if (encoding !== 'base64') throw new Error(`page Buffer: no ${encoding} encoding`);
      const bin = atob(source);
      return Bytes.from(bin, (ch) => ch.charCodeAt(0));
    }
    return new Bytes(
      source instanceof ArrayBuffer
        ? source
        : source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength),
    );
  },
};

export function randomBytes(n) {
  return crypto.getRandomValues(new Bytes(n));
}
