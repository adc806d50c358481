/** Dify's ping route, through nginx to the api: 200 {"result":"pong"}. A health check that can fail. */
export const DIFY_HEALTH_PATH = "/console/api/ping";
