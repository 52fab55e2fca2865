import { Kind, type OperationDefinitionNode, parse, print } from "graphql";

export interface ReadyQuestion {
  /** The README's bold question, as written there. */
  question: string;
  /** Name of the operation. */
  name: string;
  /** A named operation, commented with its question, ready for the editor. */
  operation: string;
}

/**
 * Operation names of the README's questions that have a GraphQL block, in the README's order:
 * first "For journalists", then "Example queries".
 */
const OPERATION_NAMES: Record<string, string[]> = {
  "For journalists": [
    "FundingByKindOfAmount",
    "SearchEvenMisspelled",
    "ImpactResultsAndGoalsInNumbers",
    "WhatRestsOnThePrimeMinistersWebsite",
  ],
  "Example queries": [
    "BekturovInstituteMethods",
    "DisclosedFundingAndItsSources",
    "FundingWithoutPublicAmount",
    "ImpactResultsAndGoals",
    "KazatompromPartnerships",
    "MethodsInProduction",
  ],
};

const QUESTION_WITH_GRAPHQL = /\*\*(?:\d+\.\s*)?([^*]+)\*\*\s*\n\s*\n```graphql\n([\s\S]*?)```/g;

function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section: the GraphiQL page takes its ready questions from it`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The README's questions and their GraphQL blocks, as named operations commented with the question. */
export function readyQuestions(readme: string): ReadyQuestion[] {
  return Object.entries(OPERATION_NAMES).flatMap(([heading, names]) => {
    const found = [...section(readme, heading).matchAll(QUESTION_WITH_GRAPHQL)];
    if (found.length !== names.length) {
      throw new Error(
        `README.md's "${heading}" has ${found.length} questions with a GraphQL block, src/graphiql/ready-questions.ts names ${names.length}: name each one there`,
      );
    }
    return found.map(([, question, block], i) => {
      const document = parse(block);
      const [definition] = document.definitions as OperationDefinitionNode[];
      const named: OperationDefinitionNode = { ...definition, name: { kind: Kind.NAME, value: names[i] } };
      const text = question.trim();
      const comment = `# ${text}\n# README.md, "${heading}", explains its answer on the published dataset.\n`;
      return { question: text, name: names[i], operation: `${comment + print({ ...document, definitions: [named] })}\n` };
    });
  });
}
