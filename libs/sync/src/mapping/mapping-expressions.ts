import type { ExpressionEvaluator, JsonValue } from '@mooring/integrations';
import { DomainError } from '@mooring/platform';
import { jqExpressionProblem } from './jq/port-jq.js';
import { formatExpressionError, tryCompile } from './jsonata/jsonata-expression.js';
import { sharedMappingPool, type MappingPool } from './mapping-pool.js';

/**
 * The mapping engine's evaluators for expressions integrations' settings hold (IntegrationConnection
 * `expressions`): compiled as a mapping's are on save, evaluated in the mapping pool's threads.
 */
export function mappingExpressions(pool?: MappingPool): ExpressionEvaluator {
  const threads = () => pool ?? sharedMappingPool();
  return {
    async problem(language, source) {
      if (language === 'jsonata') {
        const compiled = tryCompile(source);
        return 'error' in compiled ? formatExpressionError(compiled.error) : undefined;
      }
      const shape = jqExpressionProblem(source);
      if (shape) return shape;
      const [issue] = await threads().checkJq([{ path: '', source }]);
      return issue?.message;
    },
    async evaluate(language, source, input) {
      const selected = await threads().select(language, source, input);
      if ('error' in selected) {
        throw new DomainError(
          'UPSTREAM_MALFORMED',
          `The ${language} expression ${JSON.stringify(source)} failed on the answer: ${selected.error}`,
          {
            reason: 'expression_failed',
            language,
          },
        );
      }
      return selected.value as JsonValue | undefined;
    },
  };
}
