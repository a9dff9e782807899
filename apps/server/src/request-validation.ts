import { AjvCompiler, type BuildCompilerFromPool } from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';

type AjvServerOptions = NonNullable<FastifyServerOptions['ajv']>;

/**
 * Fastify's Ajv options for the parts that arrive as text (query string, path parameters,
 * headers): `?limit=20` means the number 20 and a single `?albums=x` a list of one.
 */
export const AJV_OPTIONS = {
  customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: false },
} satisfies AjvServerOptions;

// The compiler Fastify itself uses (ajv-formats and all); it keeps one Ajv instance per options.
const buildAjvValidator = AjvCompiler();

/**
 * Request validators by part: bodies are JSON that already has types, so they are checked as sent
 * (`"name": 12345` is a 400, not the name "12345"); every other part is coerced as AJV_OPTIONS
 * says. Pass as `schemaController.compilersFactory.buildValidator`.
 */
export const buildRequestValidator: BuildCompilerFromPool = (externalSchemas, options = {}) => {
  const coercing = buildAjvValidator(externalSchemas, options);
  const strict = buildAjvValidator(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, coerceTypes: false },
  } as typeof options);
  // The pool's declared type is narrower than what Fastify calls it with: a route schema definition.
  const compile = (build: typeof coercing) => build as unknown as FastifySchemaCompiler<unknown>;
  const byPart: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? compile(strict)(route) : compile(coercing)(route);
  return byPart as unknown as ReturnType<BuildCompilerFromPool>;
};
