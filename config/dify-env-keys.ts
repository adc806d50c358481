/**
 * The Dify settings (keys of its docker `.env`) this project writes itself, by where their
 * values come from. A customer config's `dify.env` may set any other key of the release.
 */

/** Secrets Manager field -> length of the random value generated for it (alphanumeric). */
export const DIFY_SECRET_FIELDS = {
  SECRET_KEY: 64,
  // Dify limits the /install password to 30 characters.
  INIT_PASSWORD: 24,
  DB_PASSWORD: 32,
  REDIS_PASSWORD: 32,
  PLUGIN_DAEMON_KEY: 48,
  PLUGIN_DIFY_INNER_API_KEY: 48,
  SANDBOX_API_KEY: 32,
  WEAVIATE_API_KEY: 32,
  PGVECTOR_PASSWORD: 32,
  DIFY_AGENT_API_TOKEN: 48,
  // base64url of exactly 32 bytes, which the agent backend decodes: 43 alphanumerics qualify.
  DIFY_AGENT_SERVER_SECRET_KEY: 43,
} as const;

export type DifySecretField = keyof typeof DIFY_SECRET_FIELDS;

/** `.env` key -> the secret field it is set from; pairs Dify requires to match share a field. */
export const DIFY_SECRET_ENV: Readonly<Record<string, DifySecretField>> = {
  ...(Object.fromEntries(Object.keys(DIFY_SECRET_FIELDS).map((field) => [field, field])) as Record<
    DifySecretField,
    DifySecretField
  >),
  CODE_EXECUTION_API_KEY: "SANDBOX_API_KEY",
  WEAVIATE_AUTHENTICATION_APIKEY_ALLOWED_KEYS: "WEAVIATE_API_KEY",
};

/** Keys the host composes at render time (difyctl): CORS from every stack's origins, the broker URL from the Redis password. */
export const DIFY_HOST_COMPOSED_KEYS = [
  "WEB_API_CORS_ALLOW_ORIGINS",
  "CONSOLE_CORS_ALLOW_ORIGINS",
  "CELERY_BROKER_URL",
] as const;

/** Public URLs, set by the edge stack once CloudFront's domain exists. */
export const DIFY_PUBLIC_URL_KEYS = [
  "CONSOLE_API_URL",
  "CONSOLE_WEB_URL",
  "SERVICE_API_URL",
  "APP_API_URL",
  "APP_WEB_URL",
  "FILES_URL",
] as const;

/** Keys set from typed `dify.*` config fields. */
export const DIFY_TYPED_SETTING_KEYS = [
  "NGINX_CLIENT_MAX_BODY_SIZE",
  "NGINX_PROXY_READ_TIMEOUT",
  "NGINX_PROXY_SEND_TIMEOUT",
  "UPLOAD_FILE_SIZE_LIMIT",
  "VECTOR_STORE",
  "WEAVIATE_AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED",
] as const;

/** Every key this project writes; `dify.env` may not set them. */
export const DIFY_MANAGED_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(DIFY_SECRET_ENV),
  ...DIFY_HOST_COMPOSED_KEYS,
  ...DIFY_PUBLIC_URL_KEYS,
  ...DIFY_TYPED_SETTING_KEYS,
]);
