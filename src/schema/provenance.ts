import { builder } from "../builder.ts";
import { Funding } from "./funding.ts";
import { Impact } from "./impact.ts";
import { Method } from "./method.ts";
import { Organization } from "./organization.ts";
import { Partnership } from "./partnership.ts";
import { Person, Role } from "./person.ts";
import { Programme } from "./programme.ts";

const owners = {
  organization: Organization,
  person: Person,
  role: Role,
  method: Method,
  partnership: Partnership,
  programme: Programme,
  funding: Funding,
  impact: Impact,
} as const;
type Owner = keyof typeof owners;
const ownerNames = Object.keys(owners) as Owner[];

const ownerOf = new WeakMap<object, Owner>();

const CitedRecord = builder.unionType("CitedRecord", {
  description: "Record a citation supports: an organization, person, position, method, partnership, programme, funding or impact",
  types: Object.values(owners),
  resolveType: (record) =>
    ({
      organization: "Organization",
      person: "Person",
      role: "Role",
      method: "Method",
      partnership: "Partnership",
      programme: "Programme",
      funding: "Funding",
      impact: "Impact",
    })[ownerOf.get(record)!],
});

builder.prismaObjectField("Citation", "record", (t) =>
  t.field({
    type: CitedRecord,
    description: "Record the citation supports; from a source's `citations`, this lists every record that cites the source",
    select: Object.fromEntries(ownerNames.map((name) => [name, true])) as Record<Owner, true>,
    resolve: (citation) => {
      const name = ownerNames.find((n) => citation[n] !== null)!;
      const record = citation[name]!;
      ownerOf.set(record, name);
      return record;
    },
  }),
);
