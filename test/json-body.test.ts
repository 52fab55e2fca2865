import { expect, test } from "vitest";
import { encodeJson } from "../src/http/json-body.ts";

// encodeJson writes an answer in pieces: whatever the value, its bytes must be JSON.stringify's.
const same = (value: object) => expect(encodeJson(value).toString("utf8")).toBe(JSON.stringify(value));

test("small values, and what JSON.stringify leaves out or turns into null", () => {
  same({});
  same([]);
  same({ a: undefined, b: () => 1, c: Symbol("s"), d: null, e: [undefined, () => 1, Symbol("s"), null] });
  same({ 'key "with" quotes\n': "text", nested: { empty: {}, list: [[], {}] } });
  same({ date: new Date(Date.UTC(2026, 11, 3)), withToJSON: { toJSON: () => ({ replaced: true }) }, map: new Map([[1, 2]]) });
  same(Object.assign(Object.create(null), { noPrototype: [1, 2.5, -0, Number.NaN, Number.POSITIVE_INFINITY] }));
});

test("large answers, one string or many, in one and two bytes a character", () => {
  const item = (i: number) => ({
    node: { slug: `partnership-${i}`, title: `Пилотное внедрение ${i} «кучного выщелачивания»`, ok: i % 2 === 0 },
  });
  // Wide: many small items (the benchmark's nested list). Deep: one item far larger than a piece.
  same({ data: { partnerships: { edges: Array.from({ length: 5000 }, (_, i) => item(i)) } }, extensions: { cost: 5000 } });
  same({
    data: { a: { b: { c: { d: { e: { text: "ж".repeat(300_000), list: Array.from({ length: 3000 }, (_, i) => [i, `${i}`]) } } } } } },
  });
  same([{ data: { text: "x".repeat(200_000) } }, "😀".repeat(50_000)]);
});
