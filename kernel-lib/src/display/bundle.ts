/**
 * A Jupyter MIME bundle: our own MIME type (application/vnd.charrnn.<kind>+json) with its JSON,
 * plus text/html and text/plain fallbacks for front ends without our extension.
 */
export interface MimeBundle {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** Anything that can show itself in a notebook. */
export interface Displayable {
  toMimeBundle(): MimeBundle;
}
