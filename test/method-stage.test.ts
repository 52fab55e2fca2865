import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MethodStage } from "../src/generated/prisma/enums.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

// The seed's methods, to compare what the API serves with what the data files say.
const seeded: { slug: string; stage: string | null }[] = JSON.parse(
  readFileSync(new URL("../seeds/data/methods.json", import.meta.url), "utf8"),
);

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

test("methods(filter: { stages }) lists exactly the methods a source places at those stages", async () => {
  expect(seeded.some((m) => m.stage)).toBe(true);
  for (const stage of Object.values(MethodStage)) {
    const { body } = await api.query(
      `query ($stage: MethodStage!) { methods(first: 100, filter: { stages: [$stage] }) { totalCount edges { node { slug stage } } } }`,
      { stage },
    );
    expect(body.errors).toBeUndefined();
    const expected = seeded
      .filter((m) => m.stage === stage)
      .map((m) => m.slug)
      .sort();
    expect(body.data.methods.edges.map((e: any) => e.node.slug).sort()).toEqual(expected);
    expect(body.data.methods.edges.every((e: any) => e.node.stage === stage)).toBe(true);
    expect(body.data.methods.totalCount).toBe(expected.length);
  }
  const none = await api.query(`{ methods(first: 100, filter: { stages: [] }) { totalCount } }`);
  expect(none.body.data.methods.totalCount).toBe(0);
});

test("a method has a stage exactly when one of its citations states it, with a quote", async () => {
  const { body } = await api.query(`{ methods(first: 100) { totalCount edges { node { slug stage citations { quote note } } } } }`);
  expect(body.errors).toBeUndefined();
  expect(body.data.methods.totalCount).toBe(seeded.length);
  for (const { node } of body.data.methods.edges) {
    // A citation supporting a stage says so first in its note: "Stage PILOT: ...".
    const stated = node.citations.filter((c: any) => /^Stage [A-Z_]+:/.test(c.note ?? ""));
    if (node.stage === null) expect(stated, node.slug).toEqual([]);
    else {
      expect(stated.length, node.slug).toBeGreaterThan(0);
      for (const c of stated) {
        expect(c.note.startsWith(`Stage ${node.stage}:`), node.slug).toBe(true);
        expect(c.quote, node.slug).toBeTruthy();
      }
    }
  }
});
