/** Markup that would run script if the UI ever rendered attribute values as HTML. */
export const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';
