// The in-process projects run their files one after another in the same worker (isolate: false), sharing
// modules: what this process learned of the previous file's database must not carry over to the next one's.
import { learnDataVersions } from "../src/cache/invalidation.ts";

learnDataVersions();
