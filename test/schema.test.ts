import { readFileSync } from "node:fs";
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, printSchema } from "graphql";
import { expect, test } from "vitest";
import { schema } from "../src/schema/index.ts";

test("schema.graphql is the printed schema (run `npm run schema` after changing it)", () => {
  const committed = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
  expect(committed).toBe(`${printSchema(schema)}\n`);
});

test("every type, field, argument and enum value has a description", () => {
  const missing: string[] = [];
  const check = (what: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(what);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || ["String", "Int", "Float", "Boolean", "ID"].includes(type.name)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of "args" in field ? field.args : []) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    if (isUnionType(type)) getNamedType(type);
  }
  expect(missing).toEqual([]);
});
