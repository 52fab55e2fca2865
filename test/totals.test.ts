import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestApi, type TestApi } from "./helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ seed: false });
  // Synthetic records, labelled so: two currencies, an undisclosed amount, dated and undated.
  const p = api.db.prisma;
  const funder = await p.organization.create({
    data: { slug: "synthetic-funder", kind: "FUNDING_AGENCY", nameEn: "Synthetic funder (test data)" },
  });
  const rows = [
    { amount: "100.50", currency: "KZT", dateOn: new Date("2024-03-01"), funderId: funder.id },
    { amount: "200.25", currency: "KZT", dateOn: new Date("2024-07-01"), funderId: funder.id },
    { amount: "10", currency: "USD", dateOn: new Date("2024-07-01"), funderId: funder.id },
    { amount: null, currency: null, dateOn: new Date("2023-01-01"), funderId: funder.id },
    { amount: "5", currency: "USD", dateOn: null, funderId: null, fiscalYearFrom: 2022, fiscalYearTo: 2023 },
  ];
  for (const [i, r] of rows.entries()) {
    await p.funding.create({
      data: {
        slug: `synthetic-funding-${i}`,
        description: "Synthetic test record",
        amountKind: "AWARDED",
        amountBound: r.amount === null ? null : "EXACT",
        ...r,
      },
    });
  }
  const org = await p.organization.create({
    data: { slug: "synthetic-org", kind: "ENTERPRISE", nameEn: "Synthetic org (test data)", country: "KZ" },
  });
  await p.organization.create({ data: { slug: "synthetic-org-2", kind: "ENTERPRISE", nameEn: "Synthetic org 2 (test data)" } });
  const impacts = [
    { status: "CLAIMED", value: "30", unit: "t/year" },
    { status: "CLAIMED", value: "12.5", unit: "t/year" },
    { status: "PLANNED", value: "100", unit: "t/year" },
    { status: "PLANNED", value: null, unit: null },
    { status: "VERIFIED", value: "7", unit: "%" },
  ] as const;
  for (const [i, r] of impacts.entries()) {
    await p.impact.create({
      data: {
        slug: `synthetic-impact-${i}`,
        organizationId: org.id,
        metric: "PRODUCTION_CAPACITY",
        description: "Synthetic test impact",
        valueBound: r.value === null ? null : "EXACT",
        ...r,
      },
    });
  }
});
afterAll(() => api?.close());

const FUNDING_SUMMARY = `query ($groupBy: [FundingGroup!]!, $filter: FundingFilter) {
  fundingSummary(groupBy: $groupBy, filter: $filter) {
    count undisclosedCount sums { currency amount count }
    buckets { funder { slug } year currency unknown count undisclosedCount sums { currency amount count } }
  }
}`;

test("funding sums keep currencies apart and count undisclosed amounts instead of adding 0", async () => {
  const { body } = await api.query(FUNDING_SUMMARY, { groupBy: [] });
  expect(body.errors).toBeUndefined();
  expect(body.data.fundingSummary).toMatchObject({
    count: 5,
    undisclosedCount: 1,
    sums: [
      { currency: "KZT", amount: "300.75", count: 2 },
      { currency: "USD", amount: "15", count: 2 },
    ],
  });
});

test("funding grouped by funder and year, with explicit unknown buckets", async () => {
  const { body } = await api.query(FUNDING_SUMMARY, { groupBy: ["FUNDER", "YEAR"] });
  const buckets = body.data.fundingSummary.buckets;
  expect(buckets).toEqual([
    {
      funder: { slug: "synthetic-funder" },
      year: 2024,
      currency: null,
      unknown: [],
      count: 3,
      undisclosedCount: 0,
      sums: [
        { currency: "KZT", amount: "300.75", count: 2 },
        { currency: "USD", amount: "10", count: 1 },
      ],
    },
    { funder: { slug: "synthetic-funder" }, year: 2023, currency: null, unknown: [], count: 1, undisclosedCount: 1, sums: [] },
    {
      funder: null,
      year: null,
      currency: null,
      unknown: ["FUNDER", "YEAR"],
      count: 1,
      undisclosedCount: 0,
      sums: [{ currency: "USD", amount: "5", count: 1 }],
    },
  ]);
});

test("funding summary follows the list's filter", async () => {
  const { body } = await api.query(FUNDING_SUMMARY, { groupBy: ["CURRENCY"], filter: { currency: "USD" } });
  expect(body.data.fundingSummary.buckets).toEqual([
    {
      funder: null,
      year: null,
      currency: "USD",
      unknown: [],
      count: 2,
      undisclosedCount: 0,
      sums: [{ currency: "USD", amount: "15", count: 2 }],
    },
  ]);
});

test("impact totals keep planned, claimed and verified apart, and units apart", async () => {
  const { body } = await api.query(`{ impactSummary(groupBy: [STATUS]) {
    count withoutValueCount totals { status unit value count }
    buckets { status unknown count withoutValueCount totals { status unit value count } }
  } }`);
  expect(body.errors).toBeUndefined();
  const summary = body.data.impactSummary;
  expect(summary.count).toBe(5);
  expect(summary.withoutValueCount).toBe(1);
  expect(summary.totals).toEqual([
    { status: "CLAIMED", unit: "t/year", value: "42.5", count: 2 },
    { status: "PLANNED", unit: "t/year", value: "100", count: 1 },
    { status: "VERIFIED", unit: "%", value: "7", count: 1 },
  ]);
  expect(summary.buckets.map((b: any) => [b.status, b.count, b.withoutValueCount])).toEqual([
    ["CLAIMED", 2, 0],
    ["PLANNED", 2, 1],
    ["VERIFIED", 1, 0],
  ]);
});

test("a repeated or unknown group, or an unknown filter field, is a clear error listing what is allowed", async () => {
  const repeated = await api.query(FUNDING_SUMMARY, { groupBy: ["YEAR", "YEAR"] });
  expect(repeated.body.errors?.[0]).toMatchObject({
    message: expect.stringMatching(/lists YEAR twice/),
    extensions: { code: "BAD_USER_INPUT" },
  });
  const unknown = await api.query(FUNDING_SUMMARY, { groupBy: ["COLOUR"] });
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors?.[0].message).toMatch(
    /"COLOUR" does not exist in "FundingGroup" enum\. Allowed: AMOUNT_KIND, CURRENCY, FUNDER, PROGRAMME, RECIPIENT, YEAR\.$/,
  );
  const field = await api.query(`{ fundingSummary(groupBy: [], filter: { colour: "red" }) { count } }`);
  expect(field.status).toBe(400);
  expect(field.body.errors?.[0].message).toMatch(
    /Field "colour" is not defined by type "FundingFilter"\. Allowed: amount, amountDisclosed, .*year\.$/,
  );
});

test("facets count the whole filtered list, with an unknown bucket", async () => {
  const { body } = await api.query(`{
    enterprises(first: 1) { totalCount facets { kind { value count } country { value unknown count } } }
    fundings(filter: { year: 2024 }) { facets { currency { value count } year { value count } } }
    impacts { facets { status { value count } unit { value unknown count } } }
    organization(slug: "synthetic-org") { impacts { facets { status { value } } } }
  }`);
  expect(body.errors).toBeUndefined();
  expect(body.data.enterprises.facets).toEqual({
    kind: [{ value: "ENTERPRISE", count: 2 }],
    country: [
      { value: "KZ", unknown: false, count: 1 },
      { value: null, unknown: true, count: 1 },
    ],
  });
  expect(body.data.fundings.facets).toEqual({
    currency: [
      { value: "KZT", count: 2 },
      { value: "USD", count: 1 },
      { value: null, count: 0 },
    ],
    year: [
      { value: "2024", count: 3 },
      { value: null, count: 0 },
    ],
  });
  expect(body.data.impacts.facets.status).toEqual([
    { value: "CLAIMED", count: 2 },
    { value: "PLANNED", count: 2 },
    { value: "VERIFIED", count: 1 },
  ]);
  expect(body.data.impacts.facets.unit).toContainEqual({ value: null, unknown: true, count: 1 });
  expect(body.data.organization.impacts.facets).toBeNull();
});
