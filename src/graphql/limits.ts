import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
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
  return plugins;
}
