import { builder } from "../builder.ts";
import "./scalars.ts";
import "./organization.ts";
import "./person.ts";
import "./method.ts";
import "./partnership.ts";
import "./programme.ts";
import "./funding.ts";
import "./impact.ts";
import "./source.ts";
import "./search/field.ts";
import "./dataset.ts";
import "./totals/facets.ts";
import "./totals/funding-summary.ts";
import "./totals/impact-summary.ts";
import "./provenance.ts";
import "./curation.ts";
import "./curation/source.ts";
import "./curation/organization.ts";
import "./curation/person.ts";
import "./curation/method.ts";
import "./curation/partnership.ts";
import "./curation/programme.ts";
import "./curation/funding.ts";
import "./curation/impact.ts";
import "./history.ts";
import "./correction.ts";

builder.queryType({
  description:
    "Public graph of science–industry collaboration in Kazakhstan's mining and metallurgy: who funds what, which methods reach which plants, and what impact is claimed, each fact with its source",
});

export const schema = builder.toSchema({ sortSchema: true });
