import { useCallback, useState, type ReactNode } from 'react';
import { localStore } from '../prefs';

const STORAGE_PREFIX = 't1.disclosure.';

function storedOpen(name: string, fallback: boolean): boolean {
  try {
    const value = localStore()?.getItem(STORAGE_PREFIX + name) ?? null;
    return value === null ? fallback : value === 'open';
  } catch {
    return fallback;
  }
}

/** Whether a named section is expanded; the operator's choice is remembered in this browser. */
export function useDisclosure(name: string, defaultOpen: boolean): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(() => storedOpen(name, defaultOpen));
  const change = useCallback(
    (next: boolean) => {
      setOpen(next);
      try {
        localStore()?.setItem(STORAGE_PREFIX + name, next ? 'open' : 'closed');
      } catch {
        // storage blocked: the choice lasts until the page is reloaded
      }
    },
    [name],
  );
  return [open, change];
}

export interface DisclosureProps {
  /** Remembers the section's state under this name. */
  name: string;
  title: string;
  /** Shown next to the title, also while collapsed (e.g. the customer's name). */
  summary?: ReactNode;
  defaultOpen?: boolean;
  className?: string;
  headingId?: string;
  children: ReactNode;
}

/** A card that collapses to its title line (a native <details>: keyboard and screen readers work as usual). */
export function Disclosure({ name, title, summary, defaultOpen = false, className, headingId, children }: DisclosureProps) {
  const [open, setOpen] = useDisclosure(name, defaultOpen);
  return (
    <details
      className={['card', 'disclosure', className].filter(Boolean).join(' ')}
      open={open}
      onToggle={(event) => {
        const now = (event.currentTarget as HTMLDetailsElement).open;
        if (now !== open) setOpen(now);
      }}
      data-section={name}
    >
      <summary className="disclosure__summary">
        <h3 id={headingId} className="card__title disclosure__title">
          {title}
        </h3>
        {summary && <span className="disclosure__extra">{summary}</span>}
      </summary>
      <div className="disclosure__body">{children}</div>
    </details>
  );
}
