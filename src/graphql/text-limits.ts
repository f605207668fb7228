import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLErrorOptions,
  type ExecutionResult,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { textProblem } from '../domain/validate.js';
import type { GraphQLContext } from './context.js';

/** The longest an ID or an idempotency key (argument or header) may be. */
export const MAX_ID_LENGTH = 255;
/** The longest any other text may be; the domain bounds most far tighter (a reason 500, a name 200). */
export const MAX_TEXT_LENGTH = 1_000;
const KEY_ARGUMENT = 'idempotencyKey';

/**
 * A refusal of the whole request, before anything runs: there is no `data`, so under
 * `application/graphql-response+json` it answers 400, as parse and validation errors do
 * (under `application/json`, 200: yoga's `spec` flag, the spec's legacy rule).
 */
export function requestError(
  message: string,
  code: string,
  at: Pick<GraphQLErrorOptions, 'nodes' | 'source' | 'positions'> = {},
): GraphQLError {
  return new GraphQLError(message, { ...at, extensions: { code, http: { status: 400, spec: true } } });
}

/** What onExecute and onSubscribe both hand a plugin. */
type OperationHook = { args: ExecutionArgs; setResultAndStopExecution(result: ExecutionResult): void };

/**
 * Every string a request carries — in the document, in its variables, the Idempotency-Key
 * header — is well-formed Unicode without NUL and bounded (an ID or a key at
 * MAX_ID_LENGTH, other text at MAX_TEXT_LENGTH), or the request is refused with
 * BAD_USER_INPUT before anything runs, instead of failing deep in a statement (and, for a
 * batched read or append, failing the statement it shares with other requests).
 */
export function checkText(): Plugin {
  const documents = new WeakMap<DocumentNode, DocumentText>();
  const refusal = (schema: GraphQLSchema, document: DocumentNode, variables: unknown, context: unknown) => {
    let text = documents.get(document);
    if (!text) documents.set(document, (text = readDocument(schema, document)));
    if (text.refusal) return text.refusal;
    const key = (context as Partial<GraphQLContext> | undefined)?.idempotencyKey;
    const problem = key === undefined ? undefined : textProblem(key, MAX_ID_LENGTH);
    if (problem) return requestError(`the Idempotency-Key header ${problem}`, 'BAD_USER_INPUT');
    return refusedVariables(text, variables);
  };
  const refuseOperation = ({ args, setResultAndStopExecution }: OperationHook) => {
    const refused = refusal(args.schema, args.document, args.variableValues, args.contextValue);
    if (refused) setResultAndStopExecution({ errors: [refused] });
  };
  return {
    // graphql-js refuses a lone surrogate in a literal (escaped, "\ud800", or raw) as a syntax error; it is bad input.
    onParse:
      () =>
      ({ result, replaceParseResult }) => {
        if (
          result instanceof GraphQLError &&
          /^Syntax Error: (Invalid Unicode escape sequence|Invalid character within String: U\+D[89A-F])/.test(
            result.message,
          )
        ) {
          const message = `text must be well-formed Unicode: ${result.message.replace(/^Syntax Error: /, '')}`;
          replaceParseResult(
            requestError(message, 'BAD_USER_INPUT', { source: result.source, positions: result.positions }),
          );
        }
      },
    onExecute: refuseOperation,
    onSubscribe: refuseOperation,
  };
}

interface DocumentText {
  /** A literal that breaks the rules. */
  refusal?: GraphQLError;
  /** Each variable's declared type. */
  variables: Map<string, GraphQLInputType | undefined>;
  /** Variables given as an idempotency key, bounded as one. */
  keys: Set<string>;
}

/** Checks the document's literals (once per document) and notes its variables' types. */
function readDocument(schema: GraphQLSchema, document: DocumentNode): DocumentText {
  const text: DocumentText = { variables: new Map(), keys: new Set() };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition: (node) => {
        text.variables.set(
          node.variable.name.value,
          typeFromAST(schema, node.type) as GraphQLInputType | undefined,
        );
      },
      Argument: (node) => {
        if (node.name.value === KEY_ARGUMENT && node.value.kind === Kind.VARIABLE)
          text.keys.add(node.value.name.value);
      },
      StringValue: (node) => {
        const key = typeInfo.getArgument()?.name === KEY_ARGUMENT;
        const id = getNamedType(typeInfo.getInputType())?.name === 'ID';
        const problem = textProblem(node.value, key || id ? MAX_ID_LENGTH : MAX_TEXT_LENGTH);
        if (problem)
          text.refusal ??= requestError(
            `${key ? KEY_ARGUMENT : id ? 'an ID' : 'text'} ${problem}`,
            'BAD_USER_INPUT',
            { nodes: [node] },
          );
      },
    }),
  );
  return text;
}

type Bound = GraphQLInputType | 'key' | undefined;

/**
 * Walks the variables along their declared types, so an ID is bounded as one wherever it
 * sits; with a stack of its own, as a body may nest arrays deeper than the call stack goes.
 */
function refusedVariables(text: DocumentText, variables: unknown): GraphQLError | undefined {
  if (variables === null || typeof variables !== 'object') return undefined;
  const stack: { value: unknown; type: Bound; path: string }[] = Object.entries(variables).map(
    ([name, value]) => ({
      value,
      type: text.keys.has(name) ? 'key' : text.variables.get(name),
      path: `$${name}`,
    }),
  );
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, path } = next;
    const type = next.type !== 'key' && next.type && isNonNullType(next.type) ? next.type.ofType : next.type;
    if (typeof value === 'string') {
      const id = type === 'key' || (type !== undefined && getNamedType(type).name === 'ID');
      const problem = textProblem(value, id ? MAX_ID_LENGTH : MAX_TEXT_LENGTH);
      if (problem) return requestError(`variable ${path} ${problem}`, 'BAD_USER_INPUT');
    } else if (Array.isArray(value)) {
      const item = type !== 'key' && type && isListType(type) ? type.ofType : type;
      value.forEach((v, i) => stack.push({ value: v, type: item, path: `${path}[${i}]` }));
    } else if (value !== null && typeof value === 'object') {
      const fields = type !== 'key' && type && isInputObjectType(type) ? type.getFields() : undefined;
      for (const [name, v] of Object.entries(value))
        stack.push({ value: v, type: fields?.[name]?.type, path: `${path}.${name}` });
    }
  }
  return undefined;
}
