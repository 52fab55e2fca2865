import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { unsupportedNode } from "../src/runtime.ts";

describe("Node.js version check", () => {
  it("accepts the version package.json requires and newer ones, and this machine's", () => {
    expect(unsupportedNode("20.19.0", ">=20.19")).toBeUndefined();
    expect(unsupportedNode("20.20.2", ">=20.19")).toBeUndefined();
    expect(unsupportedNode("22.1.0", ">=20.19")).toBeUndefined();
    expect(unsupportedNode(process.versions.node, packageJson.engines.node)).toBeUndefined();
  });

  it("refuses older ones with a message that names both versions", () => {
    expect(unsupportedNode("20.18.3", ">=20.19")).toBe(
      'This API needs Node.js 20.19 or newer (package.json "engines"); this is Node.js 20.18.3.',
    );
    expect(unsupportedNode("18.20.0", ">=20.19")).toMatch(/needs Node\.js 20\.19/);
  });
});
