import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n';
import { applyTemplate, rankTemplates, renderTemplate, slashQuery, type SlashQuery, type TemplateValues } from '../templates';
import type { TemplatePublic } from '../types';
import type { TemplatesStatus } from '../useTemplates';

/** Options shown at most (the list scrolls); a narrower query finds the rest. */
export const MAX_OPTIONS = 50;

export interface SlashPickerInput {
  /** The reply box's text and caret. */
  text: string;
  caret: number;
  templates: readonly TemplatePublic[];
  /** The ticket's category: its templates come first. */
  category: string;
  values: TemplateValues;
  /** Off for notes and while the box is disabled. */
  enabled: boolean;
  listId: string;
  /** Replace the text (the `/query` by the rendered template) and put the caret at `caret`. */
  onInsert: (text: string, caret: number) => void;
}

export interface SlashPicker {
  /** The popup is shown (options, or a status line). */
  open: boolean;
  /** It has options: the keys ↑ ↓ Enter Tab go to it. */
  choosing: boolean;
  matches: TemplatePublic[];
  active: number;
  setActive: (index: number) => void;
  pick: (template: TemplatePublic) => void;
  /** The reply box's keydown: true when the picker took the key. */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** ARIA of the text box: a combobox whose popup is the listbox. */
  comboboxProps: {
    role: 'combobox';
    'aria-expanded': boolean;
    'aria-controls': string;
    'aria-autocomplete': 'list';
    'aria-haspopup': 'listbox';
    'aria-activedescendant': string | undefined;
  };
}

export function optionId(listId: string, index: number): string {
  return `${listId}-option-${index}`;
}

/** Typing `/` at the start of the text or of a line opens the picker; what follows filters it. */
export function useSlashPicker(input: SlashPickerInput): SlashPicker {
  const { text, caret, templates, category, values, enabled, listId, onInsert } = input;
  const slash: SlashQuery | null = enabled ? slashQuery(text, caret) : null;
  // Esc closes the picker for this `/` until it is gone.
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  useEffect(() => {
    if (slash === null || (dismissed !== null && dismissed !== slash.start)) setDismissed(null);
  }, [slash?.start]);

  const query = slash?.query ?? '';
  const matches = useMemo(
    () => (slash ? rankTemplates(templates, query, category).slice(0, MAX_OPTIONS) : []),
    [templates, query, category, slash !== null],
  );
  useEffect(() => setActive(0), [query, slash?.start]);

  const open = slash !== null && dismissed !== slash.start;
  const choosing = open && matches.length > 0;
  const current = Math.min(active, Math.max(0, matches.length - 1));

  const pick = (template: TemplatePublic) => {
    if (!slash) return;
    const inserted = applyTemplate(text, slash, renderTemplate(template.text, values));
    onInsert(inserted.text, inserted.caret);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === 'Escape') {
      setDismissed(slash.start);
      return true;
    }
    if (!choosing) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + matches.length) % matches.length);
      return true;
    }
    if ((event.key === 'Enter' && !event.shiftKey) || (event.key === 'Tab' && !event.shiftKey)) {
      const chosen = matches[current];
      if (chosen) pick(chosen);
      return true;
    }
    return false;
  };

  return {
    open,
    choosing,
    matches,
    active: current,
    setActive,
    pick,
    onKeyDown,
    comboboxProps: {
      role: 'combobox',
      'aria-expanded': choosing,
      'aria-controls': listId,
      'aria-autocomplete': 'list',
      'aria-haspopup': 'listbox',
      'aria-activedescendant': choosing ? optionId(listId, current) : undefined,
    },
  };
}

function preview(text: string, limit = 140): string {
  const line = text.replace(/\s+/gu, ' ').trim();
  const chars = Array.from(line);
  return chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : line;
}

export interface TemplatePickerProps {
  picker: SlashPicker;
  listId: string;
  status: TemplatesStatus;
  /** How many templates there are at all (none: admins have not written any yet). */
  total: number;
  values: TemplateValues;
}

/** The popup under the reply box: the matching templates, each with its text as it will be inserted. */
export function TemplatePicker({ picker, listId, status, total, values }: TemplatePickerProps) {
  const { t } = useI18n();
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    const option = list.current?.ownerDocument.getElementById(optionId(listId, picker.active));
    option?.scrollIntoView?.({ block: 'nearest' });
  }, [picker.active, listId]);

  if (!picker.open) return null;
  let note: string | null = null;
  if (!picker.choosing) {
    if (status === 'loading' || status === 'idle') note = t('templates.picker.loading');
    else if (status === 'error') note = t('templates.picker.unavailable');
    else note = total === 0 ? t('templates.picker.none') : t('templates.picker.nothingFound');
  }
  return (
    <div className="picker">
      <ul
        ref={list}
        id={listId}
        role="listbox"
        className="picker__list"
        aria-label={t('templates.picker.label')}
        hidden={!picker.choosing}
      >
        {picker.matches.map((template, index) => (
          <li
            key={template.id}
            id={optionId(listId, index)}
            role="option"
            aria-selected={index === picker.active}
            className={`picker__option${index === picker.active ? ' is-active' : ''}`}
            // The text box keeps the focus (and the caret) while the mouse picks.
            onMouseDown={(event) => event.preventDefault()}
            onMouseEnter={() => picker.setActive(index)}
            onClick={() => picker.pick(template)}
          >
            <span className="picker__title">{template.title}</span>
            {template.category && <span className="chip chip--category chip--small">{template.category}</span>}
            <span className="picker__text">{preview(renderTemplate(template.text, values))}</span>
          </li>
        ))}
      </ul>
      {note ? (
        <p className="picker__note" role="status">
          {note}
        </p>
      ) : (
        <p className="picker__note picker__keys">{t('templates.picker.keys')}</p>
      )}
    </div>
  );
}
