/** Previous / next over cursor pages; the caller keeps the stack of cursors it came through. */
export function Pager({
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  label,
}: {
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pagination" aria-label={`Pages of ${label}`}>
      <button type="button" onClick={onPrevious} disabled={!hasPrevious}>
        Previous
      </button>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}
