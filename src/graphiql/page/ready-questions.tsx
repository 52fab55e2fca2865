import { type GraphiQLPlugin, useGraphiQLActions, useOperationsEditorState } from "@graphiql/react";
import type { ReadyQuestion } from "../ready-questions.ts";

function ReadyQuestions({ questions }: { questions: ReadyQuestion[] }) {
  const [, setOperations] = useOperationsEditorState();
  const { setOperationName, run } = useGraphiQLActions();
  return (
    <div className="kz-ready-questions">
      <div className="graphiql-doc-explorer-title">Ready questions</div>
      <p>Questions the README answers. One click puts the question's query in the editor and runs it; change it as you like.</p>
      <ul>
        {questions.map(({ question, name, operation }) => (
          <li key={name}>
            <button
              type="button"
              className="graphiql-un-styled kz-question"
              onClick={() => {
                setOperations(operation);
                setOperationName(name);
                run();
              }}
            >
              {question}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function QuestionIcon() {
  return (
    <svg height="1em" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <circle cx="12" cy="12" r="9" />
      <path strokeLinecap="round" strokeLinejoin="round" d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6M12 17h.01" />
    </svg>
  );
}

export function readyQuestionsPlugin(questions: ReadyQuestion[]): GraphiQLPlugin {
  return { title: "Ready questions", icon: QuestionIcon, content: () => <ReadyQuestions questions={questions} /> };
}
