import { createHash } from 'node:crypto';

/** SHA-256 of a text in hex: what `sha256sum` prints, and the key of a persisted document. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
