// Alarm text: what fired, then the note a condition left (the values a warning used — critical rainfall
// and its source, the tangent-angle baseline, whether rain is still falling, TN beside the water class).
export function withNote(text: string, note: string): string {
  return note ? `${text} · ${note}` : text;
}
