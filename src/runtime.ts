// Imported first by every entry point (server and command-line tools): on an older Node.js the
// failure would otherwise come later, from deep inside Prisma or Yoga, and say nothing useful.
import { createRequire } from "node:module";

/** Why Node.js `running` cannot run this API, whose package.json requires `required` (">=20.19"); undefined when it can. */
export function unsupportedNode(running: string, required: string): string | undefined {
  const [, major, minor] = /^>=(\d+)\.(\d+)$/.exec(required) ?? [];
  const [runningMajor, runningMinor] = running.split(".").map(Number);
  if (runningMajor > Number(major) || (runningMajor === Number(major) && runningMinor >= Number(minor))) return undefined;
  return `This API needs Node.js ${major}.${minor} or newer (package.json "engines"); this is Node.js ${running}.`;
}

const { engines } = createRequire(import.meta.url)("../package.json") as { engines: { node: string } };
const problem = unsupportedNode(process.versions.node, engines.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
