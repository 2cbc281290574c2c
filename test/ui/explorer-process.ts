/**
 * Starts the real explorer for the UI test on ephemeral ports: in-process
 * through `startExplorer` from packages/explorer/src/index.ts.
 */
import { startExplorer } from '../../packages/explorer/src/index.ts';

export interface RunningExplorer {
  /** Base URL of the UI and query API. */
  uiUrl: string;
  /** OTLP/HTTP base URL (the exporter appends /v1/traces). */
  otlpHttpUrl: string;
  /** OTLP/gRPC URL. */
  grpcUrl: string;
  close(): Promise<void>;
}

export async function startTestExplorer(dataDir: string): Promise<RunningExplorer> {
  const running = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0 });
  return {
    uiUrl: `http://127.0.0.1:${running.uiPort}`,
    otlpHttpUrl: `http://127.0.0.1:${running.httpPort}`,
    grpcUrl: `http://127.0.0.1:${running.grpcPort}`,
    close: () => running.close(),
  };
}
