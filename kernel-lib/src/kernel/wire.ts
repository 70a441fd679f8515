import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * The Jupyter messaging wire format (protocol 5.3): ZeroMQ frames
 *   [...routing identities, '<IDS|MSG>', hmac, header, parent_header, metadata, content, ...buffers]
 * where hmac is HMAC-SHA256 over the four JSON frames, keyed by the connection file's key.
 */
export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: any;
  buffers: Buffer[];
}

const DELIMITER = Buffer.from('<IDS|MSG>');
const PROTOCOL_VERSION = '5.3';
const SESSION = randomUUID();

function sign(key: string, parts: (Buffer | string)[]): string {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return key ? hmac.digest('hex') : '';
}

/** Compared in constant time, so that the time to reject a forged signature tells nothing about the right one. */
function sameSignature(given: Buffer | undefined, expected: string): boolean {
  const want = Buffer.from(expected);
  return given !== undefined && given.length === want.length && timingSafeEqual(given, want);
}

/** Reads a message from its frames; throws when the signature does not match. */
export function decode(frames: Buffer[], key: string): Message {
  const delim = frames.findIndex((f) => f.equals(DELIMITER));
  if (delim < 0) throw new Error('message without <IDS|MSG> delimiter');
  const [signature, ...parts] = frames.slice(delim + 1);
  const json = parts.slice(0, 4);
  if (json.length < 4) throw new Error('message with fewer than four JSON frames');
  if (key && !sameSignature(signature, sign(key, json))) throw new Error('message with a bad signature');
  const [header, parent_header, metadata, content] = json.map((f) => JSON.parse(f.toString()));
  return { identities: frames.slice(0, delim), header, parent_header, metadata, content, buffers: parts.slice(4) };
}

/** Writes a message as signed frames. */
export function encode(msg: Message, key: string): Buffer[] {
  const json = [msg.header, msg.parent_header, msg.metadata, msg.content].map((part) =>
    Buffer.from(JSON.stringify(part)),
  );
  return [...msg.identities, DELIMITER, Buffer.from(sign(key, json)), ...json, ...msg.buffers];
}

/**
 * A new message of `msgType` answering (or caused by) `parent`: same routing identities, parent_header
 * set to the parent's header. With no parent, e.g. output from a background loop before any cell ran,
 * the parent header is empty.
 */
export function makeMessage(msgType: string, content: unknown, parent?: Message): Message {
  return {
    identities: parent?.identities ?? [],
    header: {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: SESSION,
      username: parent?.header.username ?? 'kernel',
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    },
    parent_header: parent?.header ?? {},
    metadata: {},
    content,
    buffers: [],
  };
}
