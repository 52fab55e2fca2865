import { afterAll, beforeAll, expect, test } from "vitest";
import { createApiKey } from "../src/auth/keys.ts";
import { Prisma } from "../src/generated/prisma/client.ts";
import type { AmountBound, AmountKind, ImpactStatus } from "../src/generated/prisma/enums.ts";
import { createApi } from "../src/yoga.ts";
import { startTestApi, type TestApi } from "./helpers.ts";

// Synthetic records, labelled so. Each group holds one combination of bounds, with the bound its
// sum must carry by the rule: EXACT when every part is, the one qualifier the inexact parts share,
// else MIXED. Sums and counts are computed from these records.

let api: TestApi;
const yoga = createApi();
const fetchApi = (path: string) => yoga.fetch(`http://localhost${path}`);

type Part = [amount: string | null, bound: AmountBound | null, currency?: string];
const FUNDING_GROUPS: { kind: AmountKind; parts: Part[]; sumBound: Record<string, string> }[] = [
  {
    kind: "AWARDED",
    parts: [
      ["100.10", "EXACT"],
      ["200", "EXACT"],
    ],
    sumBound: { KZT: "EXACT" },
  },
  {
    kind: "ALLOCATED",
    parts: [
      ["50", "EXACT"],
      ["25.50", "AT_LEAST"],
    ],
    sumBound: { KZT: "AT_LEAST" },
  },
  {
    kind: "BUDGET",
    parts: [
      ["10", "AT_LEAST"],
      ["20", "AT_MOST"],
    ],
    sumBound: { KZT: "MIXED" },
  },
  {
    kind: "DISBURSED",
    parts: [
      ["7", "AT_MOST"],
      ["3", "EXACT"],
      [null, null],
    ],
    sumBound: { KZT: "AT_MOST" },
  },
  {
    kind: "INVESTED",
    parts: [
      ["40", "APPROXIMATE"],
      ["2", "EXACT"],
      ["1", "APPROXIMATE", "USD"],
    ],
    sumBound: { KZT: "APPROXIMATE", USD: "APPROXIMATE" },
  },
];
const OVERALL_FUNDING_BOUND = { KZT: "MIXED", USD: "APPROXIMATE" };

const IMPACT_GROUPS: { status: ImpactStatus; unit: string; parts: Part[]; sumBound: string }[] = [
  {
    status: "CLAIMED",
    unit: "t",
    parts: [
      ["1", "EXACT"],
      ["2.5", "AT_LEAST"],
      [null, null],
    ],
    sumBound: "AT_LEAST",
  },
  {
    status: "CLAIMED",
    unit: "%",
    parts: [
      ["1", "AT_LEAST"],
      ["2", "AT_MOST"],
    ],
    sumBound: "MIXED",
  },
  {
    status: "PLANNED",
    unit: "t",
    parts: [
      ["5", "EXACT"],
      ["6", "EXACT"],
    ],
    sumBound: "EXACT",
  },
  {
    status: "VERIFIED",
    unit: "t",
    parts: [
      ["9", "AT_MOST"],
      ["1", "AT_MOST"],
    ],
    sumBound: "AT_MOST",
  },
];

beforeAll(async () => {
  api = await startTestApi({ seed: false });
  const p = api.db.prisma;
  let n = 0;
  for (const { kind, parts } of FUNDING_GROUPS) {
    for (const [amount, amountBound, currency = "KZT"] of parts) {
      await p.funding.create({
        data: {
          slug: `synthetic-funding-${n++}`,
          description: "Synthetic test record",
          amountKind: kind,
          amount,
          currency: amount === null ? null : currency,
          ...(amountBound && { amountBound }),
        },
      });
    }
  }
  const org = await p.organization.create({ data: { slug: "synthetic-org", kind: "ENTERPRISE", nameEn: "Synthetic org (test data)" } });
  for (const { status, unit, parts } of IMPACT_GROUPS) {
    for (const [value, valueBound] of parts) {
      await p.impact.create({
        data: {
          slug: `synthetic-impact-${n++}`,
          organizationId: org.id,
          metric: "OTHER",
          description: "Synthetic test impact",
          status,
          value,
          unit: value === null ? null : unit,
          ...(valueBound && { valueBound }),
        },
      });
    }
  }
});
afterAll(() => api?.close());

/** Sum per currency of the disclosed parts, as exact decimal strings. */
function sums(parts: Part[]) {
  const totals = new Map<string, { amount: Prisma.Decimal; count: number }>();
  for (const [amount, , currency = "KZT"] of parts) {
    if (amount === null) continue;
    const t = totals.get(currency) ?? { amount: new Prisma.Decimal(0), count: 0 };
    totals.set(currency, { amount: t.amount.add(amount), count: t.count + 1 });
  }
  return new Map([...totals].map(([currency, t]) => [currency, { amount: t.amount.toString(), count: t.count }]));
}

const counts = (parts: Part[]) => ({
  count: parts.length,
  exactCount: parts.filter(([a, b]) => a !== null && b === "EXACT").length,
  boundedCount: parts.filter(([a, b]) => a !== null && b !== "EXACT").length,
});

test("a funding sum is exact only when every part is, carries a shared bound, and says MIXED when bounds disagree", async () => {
  const { body } = await api.query(`{ fundingSummary(groupBy: [AMOUNT_KIND]) {
    count exactCount boundedCount undisclosedCount sums { currency amount bound count }
    buckets { amountKind count exactCount boundedCount undisclosedCount sums { currency amount bound count } }
  } }`);
  expect(body.errors).toBeUndefined();
  const summary = body.data.fundingSummary;
  for (const { kind, parts, sumBound } of FUNDING_GROUPS) {
    const bucket = summary.buckets.find((b: { amountKind: string }) => b.amountKind === kind);
    const expectedSums = [...sums(parts)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, s]) => ({ currency, ...s, bound: sumBound[currency] }));
    expect(bucket, kind).toEqual({
      amountKind: kind,
      ...counts(parts),
      undisclosedCount: parts.filter(([a]) => a === null).length,
      sums: expectedSums,
    });
  }
  const all = FUNDING_GROUPS.flatMap((g) => g.parts);
  expect(summary).toMatchObject({ ...counts(all), undisclosedCount: 1 });
  expect(summary.sums).toEqual(
    [...sums(all)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, s]) => ({ currency, ...s, bound: OVERALL_FUNDING_BOUND[currency as "KZT"] })),
  );
});

test("an impact total carries the bound of its figures, per status and unit, and counts figures that are missing", async () => {
  const { body } = await api.query(`{ impactSummary(groupBy: [STATUS, UNIT]) {
    buckets { status unit count exactCount boundedCount withoutValueCount totals { status unit value bound count } }
  } }`);
  expect(body.errors).toBeUndefined();
  for (const { status, unit, parts, sumBound } of IMPACT_GROUPS) {
    const bucket = body.data.impactSummary.buckets.find((b: { status: string; unit: string }) => b.status === status && b.unit === unit);
    const valued = parts.filter(([v]) => v !== null);
    const { amount, count } = sums(valued).get("KZT")!;
    expect(bucket, `${status} ${unit}`).toEqual({
      status,
      unit,
      count: valued.length,
      exactCount: counts(valued).exactCount,
      boundedCount: counts(valued).boundedCount,
      withoutValueCount: 0,
      totals: [{ status, unit, value: amount, bound: sumBound, count }],
    });
  }
  const withoutValue = IMPACT_GROUPS.flatMap((g) => g.parts.filter(([v]) => v === null).map(() => g.status));
  const unknownUnit = body.data.impactSummary.buckets.filter((b: { unit: string | null }) => b.unit === null);
  expect(
    unknownUnit.map((b: { status: string; withoutValueCount: number; totals: unknown[] }) => [b.status, b.withoutValueCount, b.totals]),
  ).toEqual(withoutValue.map((status) => [status, 1, []]));
});

test("amountBound and valueBound are null when the amount or figure is, in the API and in exports", async () => {
  const { body } = await api.query(`{
    fundings(first: 100) { edges { node { amount { amount } amountBound } } }
    impacts(first: 100) { edges { node { value valueBound } } }
  }`);
  expect(body.errors).toBeUndefined();
  const fundings = body.data.fundings.edges.map((e: any) => e.node);
  const impacts = body.data.impacts.edges.map((e: any) => e.node);
  expect(fundings.filter((f: any) => f.amount === null)).toEqual([{ amount: null, amountBound: null }]);
  expect(fundings.filter((f: any) => f.amount !== null).every((f: any) => f.amountBound !== null)).toBe(true);
  expect(impacts.filter((i: any) => i.value === null)).toEqual([{ value: null, valueBound: null }]);
  const exported = async (path: string) =>
    (await (await fetchApi(path)).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
  expect((await exported("/export/fundings.ndjson?amountDisclosed=false")).map((r) => [r.amount, r.amountBound])).toEqual([[null, null]]);
  expect((await exported("/export/impacts.ndjson")).filter((r) => r.value === null).map((r) => r.valueBound)).toEqual([null]);
});

test("a bound without a value, or a value without a bound, is refused at write time and writes nothing", async () => {
  const p = api.db.prisma;
  const source = await p.source.create({
    data: { url: "https://example.org/synthetic-bounds-source", title: "Synthetic source (test data)", language: "en" },
  });
  const bearer = { authorization: `Bearer ${await createApiKey(p, "bounds-test", "WRITE")}` };
  const citations = [{ source: source.url, quote: "Synthetic quote", confidence: "HIGH" }];
  const cases = [
    [
      "funding",
      { slug: "synthetic-bound-without-amount", amount: null, amountBound: "AT_LEAST", amountKind: "AWARDED", citations },
      "record.amountBound",
      /expected null when amount is null/,
    ],
    [
      "funding",
      { slug: "synthetic-amount-without-bound", amount: "5", currency: "KZT", amountBound: null, amountKind: "AWARDED", citations },
      "record.amountBound",
      /when amount is set/,
    ],
    [
      "impact",
      {
        slug: "synthetic-bound-without-value",
        organization: "synthetic-org",
        metric: "OTHER",
        description: "Synthetic",
        status: "CLAIMED",
        value: null,
        valueBound: "EXACT",
        citations,
      },
      "record.valueBound",
      /expected null when value is null/,
    ],
  ] as const;
  const before = [await p.funding.count(), await p.impact.count()];
  for (const [entity, record, field, message] of cases) {
    const type = entity === "funding" ? "Funding" : "Impact";
    const { body } = await api.query(
      `mutation ($input: ${type}CreateInput!) { ${entity}Create(input: $input) { userErrors { field message code } } }`,
      { input: { record, reason: "test" } },
      bearer,
    );
    expect(body.errors, record.slug).toBeUndefined();
    expect(body.data[`${entity}Create`].userErrors, record.slug).toEqual([
      { field, message: expect.stringMatching(message), code: "INVALID" },
    ]);
  }
  expect([await p.funding.count(), await p.impact.count()]).toEqual(before);
  // The database refuses it too, whatever writes it.
  await expect(
    p.funding.create({ data: { slug: "synthetic-direct", amountKind: "AWARDED", amount: null, amountBound: "EXACT" } }),
  ).rejects.toThrow();
});
