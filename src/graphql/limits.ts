import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { hideSuggestions } from './error-masking.js';
import { checkText, requestError } from './text-limits.js';

/** graphql-armor words every refusal as a "Syntax Error" without a code; each gets its own. */
const refusedWith = (code: string) => ({
  exposeLimits: true,
  onReject: [
    (_context: unknown, error: GraphQLError) => {
      throw requestError(error.message.replace(/^Syntax Error: /, ''), code);
    },
  ],
});

/**
 * Limits every operation, over HTTP and WebSocket alike (both go through these envelop
 * plugins): depth, cost, aliases (`__typename` ones too), tokens and directives; then text.
 * With introspection off, no error suggests a name either ("Did you mean …?"), so a
 * closed schema cannot be guessed.
 */
export function limitPlugins(config: Config['graphql']): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: {
        n: config.maxDepth,
        ignoreIntrospection: true,
        flattenFragments: true,
        ...refusedWith('QUERY_TOO_DEEP'),
      },
      maxAliases: { n: config.maxAliases, allowList: [], ...refusedWith('TOO_MANY_ALIASES') },
      maxTokens: { n: config.maxTokens, ...refusedWith('TOO_MANY_TOKENS') },
      costLimit: { maxCost: config.maxCost, ignoreIntrospection: true, ...refusedWith('QUERY_TOO_COSTLY') },
      maxDirectives: { n: config.maxDirectives, ...refusedWith('TOO_MANY_DIRECTIVES') },
      // hideSuggestions covers every kind of suggestion, not field names alone.
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
  ];
  if (!config.introspection) {
    plugins.push(
      { onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) },
      hideSuggestions(),
    );
  }
  plugins.push(checkText());
  return plugins;
}
