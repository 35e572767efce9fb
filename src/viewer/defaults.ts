/** Apart from the server, so the CLI can show it in --help without loading the viewer. */
export const DEFAULT_VIEWER_PORT = 4173;
