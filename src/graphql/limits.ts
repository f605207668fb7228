import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/**
 * Limits every operation, over HTTP and WebSocket alike (both go through these envelop
 * plugins): depth, cost, aliases and tokens; introspection and field suggestions off
 * together, so a closed schema cannot be guessed from "did you mean" hints.
 */
export function limitPlugins(config: Config['graphql']): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: config.maxDepth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true },
      maxAliases: { n: config.maxAliases, exposeLimits: true },
      maxTokens: { n: config.maxTokens, exposeLimits: true },
      costLimit: { maxCost: config.maxCost, ignoreIntrospection: true, exposeLimits: true },
      maxDirectives: { n: 20, exposeLimits: true },
      blockFieldSuggestion: { enabled: !config.introspection },
    }) as Plugin,
  ];
  if (!config.introspection) {
    plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) });
  }
  plugins.push(refuseNulCharacters());
  return plugins;
}

/**
 * PostgreSQL cannot store the NUL character in text or JSON. Text carrying one, in the
 * document or in its variables, is refused before anything runs, with a clear error,
 * instead of failing deep in a statement (and, for a batched read or append, failing
 * the statement it shares with other requests).
 */
function refuseNulCharacters(): Plugin {
  const inLiterals = new WeakMap<DocumentNode, boolean>();
  const refused = (document: DocumentNode, variables: unknown) => {
    let found = inLiterals.get(document);
    if (found === undefined) {
      found = false;
      visit(document, { StringValue: (node) => { if (node.value.includes('\0')) found = true; } });
      inLiterals.set(document, found);
    }
    return found || containsNul(variables);
  };
  const error = () => ({
    errors: [new GraphQLError('text must not contain the NUL character (\\u0000)', { extensions: { code: 'BAD_USER_INPUT' } })],
  });
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      if (refused(args.document, args.variableValues)) setResultAndStopExecution(error());
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      if (refused(args.document, args.variableValues)) setResultAndStopExecution(error());
    },
  };
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsNul);
  return false;
}
