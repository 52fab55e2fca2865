// Cursors of search pages: the offset of a hit in the ranked list, opaque to clients.
import { userError } from "../../builder.ts";

const CURSOR_PREFIX = "search:";
export const encodeCursor = (offset: number) => Buffer.from(`${CURSOR_PREFIX}${offset}`).toString("base64");
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  const offset = Number(text.slice(CURSOR_PREFIX.length));
  if (!text.startsWith(CURSOR_PREFIX) || !Number.isSafeInteger(offset) || offset < 0 || encodeCursor(offset) !== cursor) {
    throw userError(`"${cursor.slice(0, 100)}" is not a cursor of a search result; use an \`endCursor\` returned by \`search\``);
  }
  return offset;
}
