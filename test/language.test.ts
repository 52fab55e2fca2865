import { expect, test } from "vitest";
import { acceptedLanguages } from "../src/language.ts";

test("Accept-Language gives the API's languages by preference, leaving out unknown ones and q=0", () => {
  expect(acceptedLanguages("ru-RU,ru;q=0.9,en;q=0.8")).toEqual(["RU", "EN"]);
  expect(acceptedLanguages("en;q=0.5, kk")).toEqual(["KK", "EN"]);
  expect(acceptedLanguages("de-DE, fr;q=0.9, ru;q=0")).toEqual([]);
  expect(acceptedLanguages("*")).toEqual([]);
  expect(acceptedLanguages(null)).toEqual([]);
  expect(acceptedLanguages("KK-kz;q=0.7, ru;q=0.7")).toEqual(["KK", "RU"]);
});
