// Answers as UTF-8 bytes encoded in pieces. V8 keeps a string of 128 KB or more in its large-object
// space, and on these machines allocating one costs more than serialising the answer: for the 133 KB
// nested list, JSON.stringify took 365 µs and its first read (flattening it into one string) 630 µs
// more (`npx tsx bench/large-strings.ts`). Pieces below 128 KB stay in the young generation and are
// encoded one by one into a single Buffer.
import { isAsyncIterable, type Plugin } from "graphql-yoga";

/** Short parts (punctuation, keys, small values) are gathered into a string of this many characters before they are encoded. */
const GATHERED = 1024;
/**
 * A value whose JSON is longer than this is written part by part, stringified again a level down. In
 * characters, which V8 stores in one byte or two: 60K of them stay below 128 KB either way.
 */
const SPLIT = 60 * 1024;
/** Levels of objects and arrays written part by part before the values below them are stringified whole. */
const LEVELS = 4;

const omitted = (value: unknown) => value === undefined || typeof value === "function" || typeof value === "symbol";

/** An array or an object JSON.stringify writes member by member (no toJSON, no class of its own). */
function isPlain(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function write(value: unknown, levels: number, emit: (text: string) => void): void {
  const plain = isPlain(value);
  if (levels <= 0 || !plain) {
    const text = JSON.stringify(value) as string | undefined;
    if (!plain || text!.length <= SPLIT) {
      emit(text ?? "null");
      return;
    }
  }
  if (Array.isArray(value)) {
    emit("[");
    value.forEach((item, i) => {
      if (i > 0) emit(",");
      write(omitted(item) ? null : item, levels - 1, emit);
    });
    emit("]");
    return;
  }
  let separator = "{";
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (omitted(member)) continue;
    emit(`${separator}${JSON.stringify(key)}:`);
    separator = ",";
    write(member, levels - 1, emit);
  }
  emit(separator === "{" ? "{}" : "}");
}

/** The bytes of `JSON.stringify(value)` (an object or array, as an answer is), without ever holding its whole text in one string. */
export function encodeJson(value: object): Buffer {
  const pieces: Buffer[] = [];
  // Punctuation and keys are gathered; a stringified value of some length is encoded as it comes.
  let text = "";
  write(value, LEVELS, (part) => {
    if (part.length < GATHERED) {
      text += part;
      if (text.length < GATHERED) return;
      part = text;
    } else if (text) pieces.push(Buffer.from(text));
    pieces.push(Buffer.from(part));
    text = "";
  });
  pieces.push(Buffer.from(text));
  return Buffer.concat(pieces);
}

/**
 * Writes each GraphQL answer with encodeJson. Yoga writes an answer with the result's own `stringify`
 * when it has one and passes what it returns to `new Response()`, which takes bytes as well as text.
 * Registered last, so the answer has every extension the other plugins add.
 */
export function jsonInPieces(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result) || Array.isArray(result) || "stringify" in result) return;
      setResult({ ...result, stringify: encodeJson as unknown as (result: object) => string });
    },
  };
}
