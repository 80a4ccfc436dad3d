import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { useI18n } from '../i18n';
import type { TemplateValues } from '../templates';
import type { TemplatePublic } from '../types';
import type { TemplatesStatus } from '../useTemplates';
import { Icon } from './Icon';
import { TemplatePicker, useSlashPicker } from './TemplatePicker';

export interface ReplyInput {
  text: string;
  file: File | null;
  note: boolean;
}

export interface ReplyBoxProps {
  draft: string;
  onDraftChange: (text: string) => void;
  onSend: (input: ReplyInput) => void;
  /** Why the operator cannot write here (closed ticket...), or null. */
  disabledReason: string | null;
  textareaRef?: Ref<HTMLTextAreaElement>;
  /** Canned replies for the `/` picker, and the values of their variables for this ticket. */
  templates?: readonly TemplatePublic[];
  templatesStatus?: TemplatesStatus;
  templateValues?: TemplateValues;
  /** The ticket's category: its templates are offered first. */
  category?: string;
  /** The picker opened: a chance to fetch the templates again when the list is old. */
  onTemplatesWanted?: () => void;
  /** The operator typed a reply to the customer (not a note): for «печатает…». */
  onTyping?: () => void;
}

const NO_TEMPLATES: readonly TemplatePublic[] = [];

function assignRef<T>(ref: Ref<T> | undefined, value: T | null): void {
  if (typeof ref === 'function') ref(value);
  else if (ref) (ref as { current: T | null }).current = value;
}

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/**
 * The reply box: Enter sends, Shift+Enter breaks the line; a file and the note toggle are optional. `/` at
 * the start of a line opens the canned replies (TemplatePicker).
 */
export function ReplyBox(props: ReplyBoxProps) {
  const { draft, onDraftChange, onSend, disabledReason, textareaRef, onTyping } = props;
  const { t, fmt } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = useId();
  const disabled = disabledReason !== null;
  const limit = file ? CAPTION_LIMIT : TEXT_LIMIT;
  const tooLong = draft.length > limit;
  const canSend = !disabled && !tooLong && (draft.trim().length > 0 || (file !== null && !note));
  const textarea = useRef<HTMLTextAreaElement | null>(null);
  const setTextarea = useCallback(
    (element: HTMLTextAreaElement | null) => {
      textarea.current = element;
      assignRef(textareaRef, element);
    },
    [textareaRef],
  );
  const [caret, setCaret] = useState(draft.length);
  const pendingCaret = useRef<number | null>(null);
  const templates = props.templates ?? NO_TEMPLATES;
  const templatesStatus = props.templatesStatus ?? 'ready';
  const values = props.templateValues ?? {};
  const picker = useSlashPicker({
    text: draft,
    caret,
    templates,
    category: props.category ?? '',
    values,
    enabled: !disabled && !note,
    listId: `${ids}-templates`,
    onInsert: (text, position) => {
      pendingCaret.current = position;
      setCaret(position);
      onDraftChange(text);
    },
  });

  const { onTemplatesWanted } = props;
  useEffect(() => {
    if (picker.open) onTemplatesWanted?.();
  }, [picker.open, onTemplatesWanted]);

  // After a template went in, the caret goes after it.
  useLayoutEffect(() => {
    const position = pendingCaret.current;
    const element = textarea.current;
    if (position === null || !element) return;
    pendingCaret.current = null;
    element.focus();
    element.setSelectionRange(position, position);
  }, [draft]);

  const trackCaret = (element: HTMLTextAreaElement) => setCaret(element.selectionStart ?? element.value.length);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend({ text: draft.trim(), file: note ? null : file, note });
    setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (picker.onKeyDown(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className={`reply${note ? ' reply--note' : ''}`} onSubmit={submit} aria-label={t('reply.formLabel')}>
      {disabledReason && <p className="reply__disabled">{disabledReason}</p>}
      {file && (
        <div className="reply__file">
          <Icon name="paperclip" size={14} />
          <span className="reply__file-name">{file.name}</span>
          <span className="muted">{fmt.size(file.size)}</span>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => {
              setFile(null);
              if (fileInput.current) fileInput.current.value = '';
            }}
            aria-label={t('reply.removeFile', { name: file.name })}
          >
            ✕
          </button>
        </div>
      )}
      <label htmlFor={`${ids}-text`} className="visually-hidden">
        {note ? t('reply.noteLabel') : t('reply.label')}
      </label>
      <TemplatePicker picker={picker} listId={`${ids}-templates`} status={templatesStatus} total={templates.length} values={values} />
      <textarea
        id={`${ids}-text`}
        ref={setTextarea}
        className="reply__text"
        value={draft}
        onChange={(event) => {
          trackCaret(event.target);
          onDraftChange(event.target.value);
          if (!note && event.target.value.trim()) onTyping?.();
        }}
        onSelect={(event) => trackCaret(event.currentTarget)}
        onKeyDown={onKeyDown}
        {...picker.comboboxProps}
        placeholder={note ? t('reply.notePlaceholder') : file ? t('reply.captionPlaceholder') : t('reply.placeholder')}
        rows={3}
        disabled={disabled}
        aria-describedby={`${ids}-hint`}
        aria-invalid={tooLong || undefined}
      />
      <div className="reply__bar">
        <input
          ref={fileInput}
          id={`${ids}-file`}
          type="file"
          className="visually-hidden"
          disabled={disabled || note}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        <label
          htmlFor={`${ids}-file`}
          className={`btn btn--ghost${disabled || note ? ' is-disabled' : ''}`}
          title={note ? t('reply.noFileInNote') : undefined}
        >
          <Icon name="paperclip" /> {t('reply.attach')}
        </label>
        <label className="reply__toggle">
          <input type="checkbox" checked={note} onChange={(event) => setNote(event.target.checked)} disabled={disabled} />
          {t('reply.asNote')}
        </label>
        <span id={`${ids}-hint`} className={`reply__hint${tooLong ? ' is-error' : ''}`}>
          {tooLong ? t('reply.tooLong', { limit }) : note ? t('reply.noteHint') : t('reply.keysHint')}
        </span>
        <button type="submit" className={`btn ${note ? 'btn--note' : 'btn--primary'}`} disabled={!canSend}>
          {note ? t('reply.addNote') : t('reply.send')}
        </button>
      </div>
    </form>
  );
}
