/**
 * Where `GET /jobs/<id>` may answer for a job started at `jobUrl`, in the order to try them. A handler
 * mounted at a base path (the Express router at `/functions/v1`, one function serving every job at
 * `/functions/v1/nightshift/<job>`) serves it beside the job's route: `…/<job>` → `…/jobs/<id>`. A
 * Supabase function named for its job serves every route under its own name:
 * `…/functions/v1/<function>/jobs/<id>`. Given `functionRoot` (from `supabase-url` and `function`)
 * that is the only place; given a `url`, beside first, then under the url.
 */
export function jobRouteUrls(jobUrl: URL, jobId: string, functionRoot: URL | undefined): URL[] {
  const route = `jobs/${encodeURIComponent(jobId)}`
  const under = (base: URL) => new URL(route, `${base.href.replace(/\/+$/, '')}/`)
  if (functionRoot) return [under(functionRoot)]
  return [new URL(route, new URL('.', jobUrl)), under(jobUrl)]
}
