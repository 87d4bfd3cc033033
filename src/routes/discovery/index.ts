/**
 * The discovery routes (free): OpenAPI, the x402 catalogue and list, llms.txt, guides and the
 * agent card, all generated from the route registry the app mounts (DESIGN section 6).
 */
import type { ApiRoute } from '../registry';
import { agentCardRoute } from './agent-card';
import { llmsFullTxtRoute, llmsTxtRoute } from './llms';
import { openApiRoutes } from './openapi';
import { topicIndexRoute, topicRoute } from './topics';
import { wellKnownX402Route, x402ManifestRoute } from './x402-manifest';

export const discoveryRoutes: ApiRoute[] = [
  ...openApiRoutes,
  x402ManifestRoute,
  wellKnownX402Route,
  llmsTxtRoute,
  llmsFullTxtRoute,
  topicIndexRoute,
  topicRoute,
  agentCardRoute,
];
