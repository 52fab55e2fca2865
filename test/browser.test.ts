import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildGraphiQL, GRAPHIQL_OUT_DIR, MANIFEST_FILE } from "../src/graphiql/build.ts";
import { parseCsv } from "./csv.ts";
import { startTestServer, type TestServer } from "./server-helpers.ts";

// GraphiQL in a real browser: Debian's chromium (.ci/run installs it), driven with playwright-core.
// The page does not depend on the database, so it runs once, on the embedded one.
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.resolve(import.meta.dirname, "../docs/screenshots");

/** Bytes one visit transferred (bodies as sent, with headers), split into the page's files and the API's answers. */
interface Transfer {
  assets: number;
  api: number;
  requests: Array<{ url: string; type: string; status: number; bytes: number; fromCache: boolean }>;
}

async function visit(context: BrowserContext, url: string): Promise<{ page: Page; transfer: Transfer }> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const seen = new Map<string, Transfer["requests"][number]>();
  cdp.on("Network.responseReceived", ({ requestId, type, response }) => {
    seen.set(requestId, { url: response.url, type, status: response.status, bytes: 0, fromCache: Boolean(response.fromDiskCache) });
  });
  // The status on the wire: a revalidated answer (304) is reported above with the cached answer's status.
  const wireStatus = new Map<string, number>();
  cdp.on("Network.responseReceivedExtraInfo", ({ requestId, statusCode }) => wireStatus.set(requestId, statusCode));
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const request = seen.get(requestId);
    if (request) request.bytes = encodedDataLength;
  });
  await cdp.send("Network.enable");
  await page.goto(`${url}/graphql`);
  await page.locator(".graphiql-explorer-root, .graphiql-query-editor").first().waitFor();
  await page.waitForLoadState("networkidle");
  await cdp.detach();
  for (const [id, status] of wireStatus) if (seen.has(id)) seen.get(id)!.status = status;
  // data: URLs (fonts inlined in GraphiQL's style sheet) are not transferred.
  const requests = [...seen.values()].filter((r) => !r.url.startsWith("data:"));
  const isApi = (r: Transfer["requests"][number]) => new URL(r.url).pathname === "/graphql" && r.type !== "Document";
  const sum = (rs: typeof requests) => rs.reduce((total, r) => total + r.bytes, 0);
  return { page, transfer: { assets: sum(requests.filter((r) => !isApi(r))), api: sum(requests.filter(isApi)), requests } };
}

/** The text of GraphiQL's response pane (Monaco draws only what is on screen: enough for these checks). */
const responseText = (page: Page) =>
  page
    .locator(".graphiql-response .view-lines")
    .innerText()
    .then((text) => text.replaceAll("\u00a0", " "));

async function graphql<T>(url: string, query: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe.skipIf(!existsSync(CHROMIUM) || process.env.TEST_DB === "postgres")("GraphiQL in chromium", () => {
  let server: TestServer;
  let context: BrowserContext;
  let profile: string;
  let first: Awaited<ReturnType<typeof visit>>;

  beforeAll(async () => {
    if (!existsSync(path.join(GRAPHIQL_OUT_DIR, MANIFEST_FILE))) await buildGraphiQL();
    server = await startTestServer();
    profile = await mkdtemp(path.join(tmpdir(), "chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    await mkdir(SCREENSHOTS, { recursive: true });
    first = await visit(context, server.url);
  });
  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  test("a first visit opens on the explorer; a query built by clicking in it runs", async () => {
    const { page } = first;
    const explorer = page.locator(".graphiql-explorer-root");
    await expect(explorer.isVisible()).resolves.toBe(true);
    await page.locator(".graphiql-tab-add").click();
    await explorer.locator('[data-field-name="organizations"]').first().click();
    await explorer.locator('.graphiql-explorer-organizations [data-field-name="totalCount"]').first().click();
    const { organizations } = await graphql<{ organizations: { totalCount: number } }>(server.url, "{ organizations { totalCount } }");
    await expect.poll(() => page.locator(".graphiql-query-editor .view-lines").innerText()).toMatch(/organizations[\s\S]*totalCount/);
    await page.locator(".graphiql-execute-button").click();
    await expect.poll(() => responseText(page)).toContain(`"totalCount": ${organizations.totalCount}`);
    await page.screenshot({ path: path.join(SCREENSHOTS, "graphiql-explorer.png") });
  });

  test("a ready question loads and runs with one click", async () => {
    const { page } = first;
    await page.getByRole("button", { name: "Show Ready questions" }).click();
    await page.getByRole("button", { name: "How much money is reported, by whom, and on whose word?" }).click();
    await expect.poll(() => page.locator(".graphiql-query-editor .view-lines").innerText()).toContain("DisclosedFundingAndItsSources");
    await expect.poll(() => responseText(page)).toContain('"fundings"');
    await page.screenshot({ path: path.join(SCREENSHOTS, "graphiql-ready-questions.png") });
  });

  test("the code panel gives the current query for curl, JavaScript and Python", async () => {
    const { page } = first;
    await page.getByRole("button", { name: "Show Code" }).click();
    const panel = page.locator(".kz-code-exporter");
    await expect(panel.locator("pre").first().innerText()).resolves.toContain(`curl ${server.url}/graphql`);
    await expect(panel.innerText()).resolves.toMatch(
      /JavaScript \(fetch\)[\s\S]*DisclosedFundingAndItsSources[\s\S]*Python \(requests\)[\s\S]*import requests/,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, "graphiql-code.png") });
  });

  test("the ready question downloads as a CSV of the rows GraphQL answers", async () => {
    const { page } = first;
    const query = `{ fundings(filter: { amountDisclosed: true }, orderBy: { field: AMOUNT, direction: DESC }, first: 100) { edges { node { description amount { amount currency } } } } }`;
    const { fundings } = await graphql<{
      fundings: { edges: Array<{ node: { description: string; amount: { amount: string; currency: string } } }> };
    }>(server.url, query);
    await page.locator(".kz-download").click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: /CSV/ }).click()]);
    // The CSV starts with a byte order mark, so that spreadsheets read it as UTF-8.
    const text = await readFile((await download.path())!, "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const [header, ...rows] = parseCsv(text.slice(1));
    const cells = (row: string[]) => ({
      description: row[header.indexOf("description")],
      amount: row[header.indexOf("amount.amount")],
      currency: row[header.indexOf("amount.currency")],
    });
    expect(rows.map(cells)).toEqual(
      fundings.edges.map(({ node }) => ({ description: node.description, amount: node.amount.amount, currency: node.amount.currency })),
    );
  });

  test("a second visit downloads nothing large: the page revalidates, its files come from the cache", async () => {
    const second = await visit(context, server.url);
    await second.page.screenshot({ path: path.join(SCREENSHOTS, "graphiql-second-visit.png") });
    // Read by the lead for the closing note of issue 14.
    console.log(
      `GraphiQL transferred bytes: first visit ${first.transfer.assets} (page and its files) + ${first.transfer.api} (API answers); ` +
        `second visit ${second.transfer.assets} + ${second.transfer.api}`,
    );
    const page = second.transfer.requests.find((r) => r.type === "Document");
    expect(page?.status).toBe(304);
    expect(first.transfer.assets).toBeGreaterThan(1_000_000);
    expect(second.transfer.assets).toBeLessThan(5_000);
    // GraphiQL's schema query (sent by GET) is revalidated too.
    expect(second.transfer.api).toBeLessThan(5_000);
  });
});
