/**
 * Every string of the console, in Russian (first) and English, plus locale-aware formatting.
 * The chosen language is kept in localStorage. Placeholders look like {name}.
 */
import { createContext, createElement, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

const ru = {
  'app.name': 'T1 Support',
  'app.language': 'Язык интерфейса',
  'app.logout': 'Выйти',
  'app.sections': 'Разделы',
  'app.skipToContent': 'Перейти к содержимому',

  'nav.tickets': 'Обращения',
  'nav.operators': 'Операторы',
  'nav.knowledge': 'База знаний',
  'nav.stats': 'Статистика',

  'live.online': 'В сети',
  'live.onlineHint': 'Обновления приходят в реальном времени',
  'live.connecting': 'Подключение…',
  'live.connectingHint': 'Подключаемся к потоку обновлений',
  'live.offline': 'Нет связи',
  'live.offlineHint': 'Поток обновлений недоступен, переподключаемся',

  'login.subtitle': 'Консоль оператора',
  'login.username': 'Логин',
  'login.password': 'Пароль',
  'login.submit': 'Войти',
  'login.signingIn': 'Входим…',
  'login.wrong': 'Неверный логин или пароль',
  'login.tooMany': 'Слишком много попыток входа. Повторите через {seconds} с.',
  'login.expired': 'Сессия истекла. Войдите снова.',

  'common.loading': 'Загрузка…',
  'common.retry': 'Повторить',
  'common.save': 'Сохранить',
  'common.saving': 'Сохранение…',
  'common.saved': 'Сохранено',
  'common.add': 'Добавить',
  'common.dismiss': 'Скрыть',
  'common.you': 'Вы',
  'common.cancel': 'Отмена',
  'common.allCategories': 'Все категории',

  'error.network': 'Нет связи с сервером. Проверьте подключение и повторите.',
  'error.server': 'Ошибка сервера ({status}). Повторите позже.',
  'error.http': 'Ошибка запроса ({status})',
  'error.unknown': 'Неизвестная ошибка',
  'error.tooManyRequests': 'Слишком много запросов. Повторите через {seconds} с.',
  'error.alreadyTaken': 'Обращение уже взял другой оператор',
  'error.forbiddenTicket': 'Это обращение ведёт другой оператор',
  'error.ticketNotFound': 'Обращение не найдено',
  'error.fileTooLarge': 'Файл слишком большой',

  'queue.label': 'Список обращений',
  'queue.tabs': 'Фильтр обращений',
  'queue.tab.queue': 'Очередь',
  'queue.tab.mine': 'Мои',
  'queue.tab.closed': 'Закрытые',
  'queue.tab.all': 'Все',
  'queue.search': 'Поиск по обращениям',
  'queue.searchPlaceholder': 'Поиск: имя, текст, тег…',
  'queue.empty': 'Здесь пока пусто',
  'queue.nothingFound': 'Ничего не найдено',
  'queue.loadMore': 'Загрузить ещё',
  'queue.unread': 'Есть новые сообщения',
  'queue.category': 'Категория обращений',
  'search.results': 'Найдено в истории обращений',
  'search.more': 'Найти ещё',
  'search.field.title': 'Тема',
  'search.field.customer': 'Клиент',
  'search.field.message': 'Сообщение',
  'search.field.ocr': 'Текст на фото',
  'search.field.tags': 'Теги',

  'status.open': 'В очереди',
  'status.assigned': 'В работе',
  'status.closed': 'Закрыто',

  'priority.low': 'Низкий',
  'priority.normal': 'Обычный',
  'priority.high': 'Высокий',
  'priority.urgent': 'Срочный',

  'role.operator': 'Оператор',
  'role.admin': 'Администратор',

  'conversation.messages': 'Переписка',
  'conversation.empty': 'Сообщений пока нет',
  'conversation.none': 'Выберите обращение',
  'conversation.noneHint': 'Слева — очередь и ваши обращения. Новые появятся автоматически.',
  'conversation.hidden': 'Обращение больше недоступно: его взял другой оператор.',

  'message.edited': 'изменено',
  'message.editedAt': 'Изменено {time}',
  'message.note': 'Заметка',
  'message.noteAria': 'Внутренняя заметка, клиент её не видит',
  'message.operator': 'Оператор',
  'delivery.sending': 'Отправляется…',
  'delivery.sent': 'Доставлено',
  'delivery.failed': 'Не доставлено: {reason}',
  'delivery.blocked': 'клиент заблокировал бота',
  'delivery.unknownReason': 'причина неизвестна',
  'delivery.retrying': 'Повторяем…',

  'attachment.kind.photo': 'Фото',
  'attachment.kind.document': 'Документ',
  'attachment.kind.voice': 'Голосовое сообщение',
  'attachment.kind.audio': 'Аудио',
  'attachment.kind.video': 'Видео',
  'attachment.ocr': 'Распознанный текст',
  'attachment.openFull': 'Открыть в полном размере',
  'attachment.unavailable': '{name}: файл недоступен',
  'attachment.notStored': 'файл недоступен',

  'actions.take': 'Взять',
  'actions.taking': 'Берём…',
  'actions.close': 'Закрыть',
  'actions.closing': 'Закрываем…',
  'actions.closeConfirm': 'Закрыть обращение? Клиент получит уведомление в Telegram.',
  'actions.assign': 'Назначить',
  'actions.assignTo': 'Назначить оператору',
  'actions.chooseOperator': '— выберите оператора —',
  'actions.assignConfirm': 'Назначить',
  'actions.assigning': 'Назначаем…',

  'reply.formLabel': 'Ответ',
  'reply.label': 'Ответ клиенту',
  'reply.noteLabel': 'Внутренняя заметка',
  'reply.placeholder': 'Ответ клиенту…',
  'reply.captionPlaceholder': 'Подпись к файлу (необязательно)…',
  'reply.notePlaceholder': 'Заметка для коллег — клиент её не увидит…',
  'reply.attach': 'Файл',
  'reply.removeFile': 'Убрать файл {name}',
  'reply.noFileInNote': 'К заметке нельзя приложить файл',
  'reply.asNote': 'Заметка',
  'reply.keysHint': 'Enter — отправить, Shift+Enter — новая строка',
  'reply.noteHint': 'Видна только операторам',
  'reply.tooLong': 'Не длиннее {limit} символов',
  'reply.send': 'Отправить',
  'reply.addNote': 'Добавить заметку',
  'reply.sending': 'Отправка…',
  'reply.failed': 'Не отправлено',
  'reply.discard': 'Отменить',
  'reply.closed': 'Обращение закрыто — ответить нельзя.',
  'reply.notYours': 'Обращение ведёт другой оператор.',

  'details.label': 'Клиент и обращение',
  'customer.title': 'Клиент',
  'customer.name': 'Имя',
  'customer.username': 'Telegram',
  'customer.telegramId': 'Telegram ID',
  'customer.chatId': 'ID чата',
  'customer.language': 'Язык',
  'customer.anonymous': 'Без имени',

  'ticket.title': 'Обращение',
  'ticket.untitled': 'Без темы',
  'ticket.subject': 'Тема',
  'ticket.status': 'Статус',
  'ticket.assignee': 'Оператор',
  'ticket.nobody': 'не назначен',
  'ticket.created': 'Создано',
  'ticket.closedAt': 'Закрыто',
  'ticket.priority': 'Приоритет',
  'ticket.tags': 'Теги',
  'ticket.noTags': 'Нет тегов',
  'ticket.addTag': 'Новый тег',
  'ticket.addTagPlaceholder': 'Новый тег',
  'ticket.removeTag': 'Удалить тег {tag}',
  'ticket.category': 'Категория',
  'ticket.subcategory': 'Подкатегория',
  'ticket.noCategory': '— не выбрана —',
  'ticket.categoryChip': 'Категория: {name}',

  'hints.title': 'Подсказки',
  'hints.none': 'Подсказок нет',
  'hints.use': 'Вставить ответ в поле ввода',
  'hints.unavailable': 'Подсказки недоступны',
  'hints.question': 'Вопрос из базы знаний',
  'hints.learn': 'Запомнить формулировку',
  'hints.learnTip': 'Вопрос клиента добавится к формулировкам этой записи, чтобы похожие вопросы находили её',
  'hints.learning': 'Сохраняем…',
  'hints.learned': 'Формулировка добавлена',
  'hints.learnKnown': 'Такая формулировка уже есть в записи',
  'hints.learnForbidden': 'Добавлять формулировки могут только администраторы',
  'hints.learnNotFound': 'Запись не найдена: возможно, её удалили',
  'hints.learnTooMany': 'У записи уже {max} формулировок — больше добавить нельзя. Уберите лишние в базе знаний.',

  'draft.title': 'Готовый ответ',
  'draft.compose': 'Составить ответ',
  'draft.composing': 'Составляем ответ…',
  'draft.source': 'Источник',
  'draft.llm': 'ИИ',
  'draft.model': 'Модель: {model}',
  'draft.template': 'Шаблон',
  'draft.fallback': 'Без ИИ: {reason}',
  'draft.none': 'Нет подходящих ответов в базе знаний',
  'draft.insert': 'Вставить в ответ',
  'draft.review': 'Проверьте и при необходимости исправьте текст перед отправкой.',
  'draft.unavailable': 'Сервис готовых ответов недоступен. Повторите позже.',

  'kb.title': 'База знаний',
  'kb.list': 'Записи базы знаний',
  'kb.category': 'Категория',
  'kb.subcategory': 'Подкатегория',
  'kb.allSubcategories': 'Все подкатегории',
  'kb.search': 'Поиск по базе знаний',
  'kb.searchPlaceholder': 'Вопрос, ответ или слова клиента…',
  'kb.searchHint': 'Ищет во всей базе: вопросы, ответы и другие формулировки, самые подходящие — первыми',
  'kb.found': 'Найдено записей: {count}',
  'kb.empty': 'В базе знаний пока нет записей',
  'kb.nothingFound': 'Ничего не найдено',
  'kb.loadMore': 'Загрузить ещё',
  'kb.readOnly': 'Изменять базу знаний могут только администраторы.',
  'kb.new': 'Новая запись',
  'kb.newTitle': 'Новая запись базы знаний',
  'kb.editTitle': 'Изменение записи',
  'kb.edit': 'Изменить',
  'kb.editAria': 'Изменить запись «{question}»',
  'kb.delete': 'Удалить',
  'kb.deleteAria': 'Удалить запись «{question}»',
  'kb.deleting': 'Удаляем…',
  'kb.deleteConfirm': 'Удалить запись «{question}»? Подсказки перестанут её предлагать.',
  'kb.create': 'Добавить',
  'kb.created': 'Запись добавлена',
  'kb.saved': 'Запись сохранена',
  'kb.deleted': 'Запись удалена',
  'kb.forbidden': 'Изменять базу знаний могут только администраторы',
  'kb.notFound': 'Запись не найдена: возможно, её уже удалили',
  'kb.fixFields': 'Исправьте отмеченные поля',
  'kb.field.category': 'Категория',
  'kb.field.subcategory': 'Подкатегория',
  'kb.field.question': 'Пример вопроса',
  'kb.field.answer': 'Шаблонный ответ',
  'kb.field.priority': 'Приоритет',
  'kb.field.audience': 'Целевая аудитория',
  'kb.field.variants': 'Другие формулировки (по одной на строку)',
  'kb.variantsRule': 'Другие способы задать тот же вопрос: не больше {max} строк, каждая до {length} символов',
  'kb.variants': 'Другие формулировки',
  'kb.variantsCount': 'Другие формулировки: {count}',
  'kb.variantItem': 'Формулировка {n}',
  'kb.invalid.required': 'Обязательное поле',
  'kb.invalid.tooShort': 'Не короче {min} символов',
  'kb.invalid.tooLong': 'Не длиннее {max} символов',
  'kb.invalid.tooManyVariants': 'Не больше {max} формулировок, сейчас {count}',
  'kb.invalid.variantTooLong': 'Формулировка {n} длиннее {max} символов',
  'kb.priorityValue': 'Приоритет: {value}',
  'kb.audienceValue': 'Аудитория: {value}',
  'kb.pick.category': 'Выберите категорию',
  'kb.pick.noSubcategory': 'Без подкатегории',
  'kb.pick.notSet': 'Не указано',
  'kb.pick.newCategory': 'Новая категория…',
  'kb.pick.newSubcategory': 'Новая подкатегория…',
  'kb.field.newCategory': 'Название новой категории',
  'kb.field.newSubcategory': 'Название новой подкатегории',

  'kbSearch.title': 'Поиск по базе знаний',
  'kbSearch.placeholder': 'Например: лимиты по карте MORE',
  'kbSearch.keys': 'Enter — искать сразу, ↓ — к результатам, Esc — очистить',
  'kbSearch.found': 'Найдено: {count}',
  'kbSearch.none': 'Ничего не найдено',
  'kbSearch.insert': 'Вставить',
  'kbSearch.insertAria': 'Вставить ответ на «{question}» в поле ответа',
  'kbSearch.more': 'Показать ещё',

  'operators.title': 'Операторы',
  'operators.list': 'Все операторы',
  'operators.create': 'Новый оператор',
  'operators.createButton': 'Создать',
  'operators.createdOk': 'Оператор {name} создан',
  'operators.exists': 'Оператор с таким логином уже есть',
  'operators.username': 'Логин',
  'operators.usernameRule': 'Латинские буквы, цифры, точка, дефис и подчёркивание',
  'operators.displayName': 'Имя',
  'operators.password': 'Пароль',
  'operators.passwordRule': 'Не короче 8 символов',
  'operators.role': 'Роль',
  'operators.roleOf': 'Роль оператора {name}',
  'operators.state': 'Статус',
  'operators.active': 'Активен',
  'operators.inactive': 'Отключён',
  'operators.created': 'Создан',
  'operators.actions': 'Действия',
  'operators.deactivate': 'Отключить',
  'operators.reactivate': 'Включить',
  'operators.setPassword': 'Сменить пароль',
  'operators.newPassword': 'Новый пароль',
  'operators.newPasswordFor': 'Новый пароль для {name}',
  'operators.other': 'другой оператор',

  'size.b': 'Б',
  'size.kb': 'КБ',
  'size.mb': 'МБ',
  'size.gb': 'ГБ',

  'time.yesterday': 'вчера',

  'stats.title': 'Статистика',
  'stats.own': 'Ваши показатели',
  'stats.filters': 'Период и фильтры',
  'stats.from': 'С',
  'stats.to': 'По',
  'stats.presets': 'Быстрый выбор периода',
  'stats.preset': '{days} дней',
  'stats.presetAria': 'Последние {days} дней',
  'stats.category': 'Категория',
  'stats.operator': 'Оператор',
  'stats.allOperators': 'Все операторы',
  'stats.timeZone': 'Дни считаются по часовому поясу {zone}.',
  'stats.range.missing': 'Укажите обе даты периода.',
  'stats.range.order': 'Дата «по» раньше даты «с». Исправьте период.',
  'stats.range.tooLong': 'Период не длиннее {max} дней, выбрано {days}. Сократите период.',
  'stats.kpis': 'Основные показатели',
  'stats.kpi.tickets_created': 'Создано обращений',
  'stats.kpi.tickets_closed': 'Закрыто обращений',
  'stats.kpi.backlog': 'Открыто на конец периода',
  'stats.kpi.csat_average': 'Средняя оценка',
  'stats.kpi.first_response': 'Первый ответ',
  'stats.kpi.resolution': 'Время решения',
  'stats.kpi.messages_per_ticket': 'Сообщений на обращение',
  'stats.median': 'медиана',
  'stats.p90': '90 % — не дольше {value}',
  'stats.ratingsCount': 'Оценок: {count}',
  'stats.responseRate': 'Оценили {rate} закрытых',
  'stats.distribution': 'Распределение оценок',
  'stats.scoreCount': 'Оценка {score}: {count}',
  'stats.charts': 'Графики по дням',
  'stats.chart.volume': 'Обращения по дням',
  'stats.chart.volumeSummary': 'создано {created}, закрыто {closed}, открыто на конец периода {backlog}',
  'stats.chart.csat': 'Средняя оценка по дням',
  'stats.chart.csatSummary': 'средняя оценка за период {value}',
  'stats.chart.firstResponse': 'Медиана первого ответа по дням',
  'stats.chart.firstResponseSummary': 'медиана за период {value}',
  'stats.chart.aria': '{title}, {from} — {to}: {summary}',
  'stats.series.created': 'Создано',
  'stats.series.closed': 'Закрыто',
  'stats.series.backlog': 'Открыто на конец дня',
  'stats.series.csat': 'Средняя оценка',
  'stats.series.firstResponse': 'Первый ответ, медиана',
  'stats.axis.tickets': 'Обращения',
  'stats.axis.score': 'Оценка',
  'stats.noData': 'Нет данных за выбранный период',
  'stats.operators': 'Операторы',
  'stats.categories': 'Категории',
  'stats.rowsHint': 'Нажмите на строку, чтобы показать только её показатели.',
  'stats.col.name': 'Оператор',
  'stats.col.category': 'Категория',
  'stats.col.tickets_created': 'Создано',
  'stats.col.tickets_closed': 'Закрыто',
  'stats.col.backlog': 'Открыто',
  'stats.col.csat_average': 'Ср. оценка',
  'stats.col.ratings_count': 'Оценок',
  'stats.col.rating_response_rate': 'Доля оценок',
  'stats.col.first_response_p50_s': 'Первый ответ, медиана',
  'stats.col.resolution_p50_s': 'Решение, медиана',
  'stats.col.messages_per_ticket': 'Сообщений на обращение',
  'stats.unassigned': 'Не назначены',
  'stats.noCategory': 'Без категории',
  'stats.showOperator': 'Показать показатели: {name}',
  'stats.showCategory': 'Показать показатели категории: {name}',

  'duration.d': 'д',
  'duration.h': 'ч',
  'duration.min': 'мин',
  'duration.s': 'с',

  'rating.title': 'Оценка клиента',
  'rating.stars': 'Оценка {score} из 5',
  'rating.none': 'Без оценки',
  'rating.ratedAt': 'Оценено {time}',
  'rating.comment': 'Комментарий клиента',
  'rating.badge': 'Оценка клиента: {score} из 5',
} as const;

export type MessageKey = keyof typeof ru;

const en: Record<MessageKey, string> = {
  'app.name': 'T1 Support',
  'app.language': 'Interface language',
  'app.logout': 'Sign out',
  'app.sections': 'Sections',
  'app.skipToContent': 'Skip to content',

  'nav.tickets': 'Tickets',
  'nav.operators': 'Operators',
  'nav.knowledge': 'Knowledge base',
  'nav.stats': 'Statistics',

  'live.online': 'Live',
  'live.onlineHint': 'Updates arrive in real time',
  'live.connecting': 'Connecting…',
  'live.connectingHint': 'Connecting to the update stream',
  'live.offline': 'Offline',
  'live.offlineHint': 'The update stream is unavailable; reconnecting',

  'login.subtitle': 'Operator console',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.signingIn': 'Signing in…',
  'login.wrong': 'Wrong username or password',
  'login.tooMany': 'Too many sign-in attempts. Try again in {seconds} s.',
  'login.expired': 'Your session has expired. Please sign in again.',

  'common.loading': 'Loading…',
  'common.retry': 'Retry',
  'common.save': 'Save',
  'common.saving': 'Saving…',
  'common.saved': 'Saved',
  'common.add': 'Add',
  'common.dismiss': 'Dismiss',
  'common.you': 'You',
  'common.cancel': 'Cancel',
  'common.allCategories': 'All categories',

  'error.network': 'Cannot reach the server. Check the connection and try again.',
  'error.server': 'Server error ({status}). Try again later.',
  'error.http': 'Request failed ({status})',
  'error.unknown': 'Unknown error',
  'error.tooManyRequests': 'Too many requests. Try again in {seconds} s.',
  'error.alreadyTaken': 'Already taken by another operator',
  'error.forbiddenTicket': 'This ticket belongs to another operator',
  'error.ticketNotFound': 'Ticket not found',
  'error.fileTooLarge': 'The file is too large',

  'queue.label': 'Tickets',
  'queue.tabs': 'Ticket filter',
  'queue.tab.queue': 'Queue',
  'queue.tab.mine': 'Mine',
  'queue.tab.closed': 'Closed',
  'queue.tab.all': 'All',
  'queue.search': 'Search tickets',
  'queue.searchPlaceholder': 'Search: name, text, tag…',
  'queue.empty': 'Nothing here yet',
  'queue.nothingFound': 'Nothing found',
  'queue.loadMore': 'Load more',
  'queue.unread': 'Has new messages',
  'queue.category': 'Ticket category',
  'search.results': 'Found in ticket history',
  'search.more': 'Find more',
  'search.field.title': 'Subject',
  'search.field.customer': 'Customer',
  'search.field.message': 'Message',
  'search.field.ocr': 'Text on photo',
  'search.field.tags': 'Tags',

  'status.open': 'Queued',
  'status.assigned': 'In progress',
  'status.closed': 'Closed',

  'priority.low': 'Low',
  'priority.normal': 'Normal',
  'priority.high': 'High',
  'priority.urgent': 'Urgent',

  'role.operator': 'Operator',
  'role.admin': 'Admin',

  'conversation.messages': 'Conversation',
  'conversation.empty': 'No messages yet',
  'conversation.none': 'Select a ticket',
  'conversation.noneHint': 'The queue and your tickets are on the left. New ones appear automatically.',
  'conversation.hidden': 'This ticket is no longer available: another operator took it.',

  'message.edited': 'edited',
  'message.editedAt': 'Edited {time}',
  'message.note': 'Note',
  'message.noteAria': 'Internal note, not visible to the customer',
  'message.operator': 'Operator',
  'delivery.sending': 'Sending…',
  'delivery.sent': 'Delivered',
  'delivery.failed': 'Not delivered: {reason}',
  'delivery.blocked': 'the customer blocked the bot',
  'delivery.unknownReason': 'reason unknown',
  'delivery.retrying': 'Retrying…',

  'attachment.kind.photo': 'Photo',
  'attachment.kind.document': 'Document',
  'attachment.kind.voice': 'Voice message',
  'attachment.kind.audio': 'Audio',
  'attachment.kind.video': 'Video',
  'attachment.ocr': 'Recognized text',
  'attachment.openFull': 'Open full size',
  'attachment.unavailable': '{name}: file unavailable',
  'attachment.notStored': 'file unavailable',

  'actions.take': 'Take',
  'actions.taking': 'Taking…',
  'actions.close': 'Close',
  'actions.closing': 'Closing…',
  'actions.closeConfirm': 'Close this ticket? The customer is notified in Telegram.',
  'actions.assign': 'Assign',
  'actions.assignTo': 'Assign to',
  'actions.chooseOperator': '— choose an operator —',
  'actions.assignConfirm': 'Assign',
  'actions.assigning': 'Assigning…',

  'reply.formLabel': 'Reply',
  'reply.label': 'Reply to the customer',
  'reply.noteLabel': 'Internal note',
  'reply.placeholder': 'Reply to the customer…',
  'reply.captionPlaceholder': 'File caption (optional)…',
  'reply.notePlaceholder': 'A note for colleagues — the customer never sees it…',
  'reply.attach': 'File',
  'reply.removeFile': 'Remove file {name}',
  'reply.noFileInNote': 'Notes cannot carry files',
  'reply.asNote': 'Note',
  'reply.keysHint': 'Enter to send, Shift+Enter for a new line',
  'reply.noteHint': 'Visible to operators only',
  'reply.tooLong': 'At most {limit} characters',
  'reply.send': 'Send',
  'reply.addNote': 'Add note',
  'reply.sending': 'Sending…',
  'reply.failed': 'Not sent',
  'reply.discard': 'Discard',
  'reply.closed': 'The ticket is closed — replies are disabled.',
  'reply.notYours': 'Another operator handles this ticket.',

  'details.label': 'Customer and ticket',
  'customer.title': 'Customer',
  'customer.name': 'Name',
  'customer.username': 'Telegram',
  'customer.telegramId': 'Telegram ID',
  'customer.chatId': 'Chat ID',
  'customer.language': 'Language',
  'customer.anonymous': 'No name',

  'ticket.title': 'Ticket',
  'ticket.untitled': 'No subject',
  'ticket.subject': 'Subject',
  'ticket.status': 'Status',
  'ticket.assignee': 'Operator',
  'ticket.nobody': 'unassigned',
  'ticket.created': 'Created',
  'ticket.closedAt': 'Closed',
  'ticket.priority': 'Priority',
  'ticket.tags': 'Tags',
  'ticket.noTags': 'No tags',
  'ticket.addTag': 'New tag',
  'ticket.addTagPlaceholder': 'New tag',
  'ticket.removeTag': 'Remove tag {tag}',
  'ticket.category': 'Category',
  'ticket.subcategory': 'Subcategory',
  'ticket.noCategory': '— none —',
  'ticket.categoryChip': 'Category: {name}',

  'hints.title': 'Suggestions',
  'hints.none': 'No suggestions',
  'hints.use': 'Insert the answer into the reply box',
  'hints.unavailable': 'Suggestions are unavailable',
  'hints.question': 'Knowledge-base question',
  'hints.learn': 'Remember this wording',
  'hints.learnTip': "The customer's question will be added to this entry's phrasings so similar questions find it",
  'hints.learning': 'Saving…',
  'hints.learned': 'Wording saved',
  'hints.learnKnown': 'The entry already has this wording',
  'hints.learnForbidden': 'Only admins can add phrasings',
  'hints.learnNotFound': 'Entry not found: it may have been deleted',
  'hints.learnTooMany': 'The entry already has {max} phrasings — no more can be added. Remove some in the knowledge base.',

  'draft.title': 'Ready reply',
  'draft.compose': 'Compose reply',
  'draft.composing': 'Composing…',
  'draft.source': 'Source',
  'draft.llm': 'AI',
  'draft.model': 'Model: {model}',
  'draft.template': 'Template',
  'draft.fallback': 'Without AI: {reason}',
  'draft.none': 'No matching knowledge-base answers',
  'draft.insert': 'Insert into reply',
  'draft.review': 'Review and edit the text before sending.',
  'draft.unavailable': 'Ready replies are unavailable. Try again later.',

  'kb.title': 'Knowledge base',
  'kb.list': 'Knowledge-base entries',
  'kb.category': 'Category',
  'kb.subcategory': 'Subcategory',
  'kb.allSubcategories': 'All subcategories',
  'kb.search': 'Search the knowledge base',
  'kb.searchPlaceholder': "Question, answer or the customer's words…",
  'kb.searchHint': 'Searches the whole base: questions, answers and other phrasings, best matches first',
  'kb.found': 'Entries found: {count}',
  'kb.empty': 'The knowledge base has no entries yet',
  'kb.nothingFound': 'Nothing found',
  'kb.loadMore': 'Load more',
  'kb.readOnly': 'Only admins can change the knowledge base.',
  'kb.new': 'New entry',
  'kb.newTitle': 'New knowledge-base entry',
  'kb.editTitle': 'Edit entry',
  'kb.edit': 'Edit',
  'kb.editAria': 'Edit the entry “{question}”',
  'kb.delete': 'Delete',
  'kb.deleteAria': 'Delete the entry “{question}”',
  'kb.deleting': 'Deleting…',
  'kb.deleteConfirm': 'Delete the entry “{question}”? Suggestions will no longer offer it.',
  'kb.create': 'Add',
  'kb.created': 'Entry added',
  'kb.saved': 'Entry saved',
  'kb.deleted': 'Entry deleted',
  'kb.forbidden': 'Only admins can change the knowledge base',
  'kb.notFound': 'Entry not found: it may have been deleted already',
  'kb.fixFields': 'Correct the marked fields',
  'kb.field.category': 'Category',
  'kb.field.subcategory': 'Subcategory',
  'kb.field.question': 'Example question',
  'kb.field.answer': 'Template answer',
  'kb.field.priority': 'Priority',
  'kb.field.audience': 'Audience',
  'kb.field.variants': 'Other phrasings (one per line)',
  'kb.variantsRule': 'Other ways to ask the same question: at most {max} lines, each up to {length} characters',
  'kb.variants': 'Other phrasings',
  'kb.variantsCount': 'Other phrasings: {count}',
  'kb.variantItem': 'Phrasing {n}',
  'kb.invalid.required': 'Required',
  'kb.invalid.tooShort': 'At least {min} characters',
  'kb.invalid.tooLong': 'At most {max} characters',
  'kb.invalid.tooManyVariants': 'At most {max} phrasings, now {count}',
  'kb.invalid.variantTooLong': 'Phrasing {n} is longer than {max} characters',
  'kb.priorityValue': 'Priority: {value}',
  'kb.audienceValue': 'Audience: {value}',
  'kb.pick.category': 'Choose a category',
  'kb.pick.noSubcategory': 'No subcategory',
  'kb.pick.notSet': 'Not set',
  'kb.pick.newCategory': 'New category…',
  'kb.pick.newSubcategory': 'New subcategory…',
  'kb.field.newCategory': 'New category name',
  'kb.field.newSubcategory': 'New subcategory name',

  'kbSearch.title': 'Search the knowledge base',
  'kbSearch.placeholder': 'E.g. MORE card limits',
  'kbSearch.keys': 'Enter searches at once, ↓ goes to the results, Esc clears',
  'kbSearch.found': 'Found: {count}',
  'kbSearch.none': 'Nothing found',
  'kbSearch.insert': 'Insert',
  'kbSearch.insertAria': 'Insert the answer to “{question}” into the reply box',
  'kbSearch.more': 'Show more',

  'operators.title': 'Operators',
  'operators.list': 'All operators',
  'operators.create': 'New operator',
  'operators.createButton': 'Create',
  'operators.createdOk': 'Operator {name} created',
  'operators.exists': 'An operator with this username exists already',
  'operators.username': 'Username',
  'operators.usernameRule': 'Latin letters, digits, dot, hyphen and underscore',
  'operators.displayName': 'Name',
  'operators.password': 'Password',
  'operators.passwordRule': 'At least 8 characters',
  'operators.role': 'Role',
  'operators.roleOf': 'Role of operator {name}',
  'operators.state': 'State',
  'operators.active': 'Active',
  'operators.inactive': 'Deactivated',
  'operators.created': 'Created',
  'operators.actions': 'Actions',
  'operators.deactivate': 'Deactivate',
  'operators.reactivate': 'Reactivate',
  'operators.setPassword': 'Set password',
  'operators.newPassword': 'New password',
  'operators.newPasswordFor': 'New password for {name}',
  'operators.other': 'another operator',

  'size.b': 'B',
  'size.kb': 'KB',
  'size.mb': 'MB',
  'size.gb': 'GB',

  'time.yesterday': 'yesterday',

  'stats.title': 'Statistics',
  'stats.own': 'Your figures',
  'stats.filters': 'Range and filters',
  'stats.from': 'From',
  'stats.to': 'To',
  'stats.presets': 'Quick ranges',
  'stats.preset': '{days} days',
  'stats.presetAria': 'The last {days} days',
  'stats.category': 'Category',
  'stats.operator': 'Operator',
  'stats.allOperators': 'All operators',
  'stats.timeZone': 'Days are counted in the {zone} time zone.',
  'stats.range.missing': 'Enter both dates of the range.',
  'stats.range.order': 'The end date is before the start date. Correct the range.',
  'stats.range.tooLong': 'The range may be at most {max} days; {days} are selected. Shorten the range.',
  'stats.kpis': 'Key figures',
  'stats.kpi.tickets_created': 'Tickets created',
  'stats.kpi.tickets_closed': 'Tickets closed',
  'stats.kpi.backlog': 'Open at the end of the range',
  'stats.kpi.csat_average': 'Average rating',
  'stats.kpi.first_response': 'First response',
  'stats.kpi.resolution': 'Resolution time',
  'stats.kpi.messages_per_ticket': 'Messages per ticket',
  'stats.median': 'median',
  'stats.p90': '90% within {value}',
  'stats.ratingsCount': 'Ratings: {count}',
  'stats.responseRate': '{rate} of closed tickets rated',
  'stats.distribution': 'Ratings by score',
  'stats.scoreCount': 'Score {score}: {count}',
  'stats.charts': 'Daily charts',
  'stats.chart.volume': 'Tickets per day',
  'stats.chart.volumeSummary': '{created} created, {closed} closed, {backlog} open at the end of the range',
  'stats.chart.csat': 'Average rating per day',
  'stats.chart.csatSummary': 'average rating for the range {value}',
  'stats.chart.firstResponse': 'Median first response per day',
  'stats.chart.firstResponseSummary': 'median for the range {value}',
  'stats.chart.aria': '{title}, {from} – {to}: {summary}',
  'stats.series.created': 'Created',
  'stats.series.closed': 'Closed',
  'stats.series.backlog': 'Open at the end of the day',
  'stats.series.csat': 'Average rating',
  'stats.series.firstResponse': 'First response, median',
  'stats.axis.tickets': 'Tickets',
  'stats.axis.score': 'Rating',
  'stats.noData': 'No data for this range',
  'stats.operators': 'Operators',
  'stats.categories': 'Categories',
  'stats.rowsHint': 'Click a row to show only its figures.',
  'stats.col.name': 'Operator',
  'stats.col.category': 'Category',
  'stats.col.tickets_created': 'Created',
  'stats.col.tickets_closed': 'Closed',
  'stats.col.backlog': 'Open',
  'stats.col.csat_average': 'Avg rating',
  'stats.col.ratings_count': 'Ratings',
  'stats.col.rating_response_rate': 'Rated',
  'stats.col.first_response_p50_s': 'First response, median',
  'stats.col.resolution_p50_s': 'Resolution, median',
  'stats.col.messages_per_ticket': 'Messages per ticket',
  'stats.unassigned': 'Unassigned',
  'stats.noCategory': 'No category',
  'stats.showOperator': 'Show the figures of {name}',
  'stats.showCategory': 'Show the figures of the category {name}',

  'duration.d': 'd',
  'duration.h': 'h',
  'duration.min': 'min',
  'duration.s': 's',

  'rating.title': 'Customer rating',
  'rating.stars': 'Rated {score} out of 5',
  'rating.none': 'Not rated',
  'rating.ratedAt': 'Rated {time}',
  'rating.comment': "Customer's comment",
  'rating.badge': 'Customer rating: {score} out of 5',
};

export type Locale = 'ru' | 'en';
export const LOCALES: readonly Locale[] = ['ru', 'en'];
export const DEFAULT_LOCALE: Locale = 'ru';
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { ru, en };

/** BCP 47 tags for Intl formatting. */
export const INTL_LOCALE: Record<Locale, string> = { ru: 'ru-RU', en: 'en-GB' };
const STORAGE_KEY = 't1.locale';

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = dictionaries[locale][key] ?? dictionaries[DEFAULT_LOCALE][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** The placeholders ({name}) a text uses. */
export function placeholders(text: string): string[] {
  return Array.from(text.matchAll(/\{(\w+)\}/g), (match) => match[1] ?? '').sort();
}

export function storedLocale(): Locale {
  try {
    const value = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
    return value === 'en' || value === 'ru' ? value : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

function parse(value: string): Date | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export interface Formatters {
  /** 14:05 */
  time: (value: string) => string;
  /** 12 мар. 2025 г., 14:05 */
  dateTime: (value: string) => string;
  /** 12 марта 2025 г. (day separators) */
  day: (value: string) => string;
  /** Queue: the time today, "yesterday", else the date. */
  listTime: (value: string) => string;
  /** 1,2 МБ */
  size: (bytes: number) => string;
}

export function makeFormatters(locale: Locale, now: () => Date = () => new Date()): Formatters {
  const tag = INTL_LOCALE[locale];
  const time = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
  const day = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'long', year: 'numeric' });
  const shortDate = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short' });
  const fullDate = new Intl.DateTimeFormat(tag, { day: '2-digit', month: '2-digit', year: 'numeric' });
  const number = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  const t = (key: MessageKey) => translate(locale, key);
  const safe = (format: (date: Date) => string) => (value: string) => {
    const date = parse(value);
    return date ? format(date) : '';
  };
  return {
    time: safe((date) => time.format(date)),
    dateTime: safe((date) => dateTime.format(date)),
    day: safe((date) => day.format(date)),
    listTime: safe((date) => {
      const today = now();
      if (sameDay(date, today)) return time.format(date);
      const yesterday = new Date(today);
      yesterday.setDate(today.getDate() - 1);
      if (sameDay(date, yesterday)) return t('time.yesterday');
      if (date.getFullYear() === today.getFullYear()) return shortDate.format(date);
      return fullDate.format(date);
    }),
    size: (bytes: number) => {
      const units: MessageKey[] = ['size.b', 'size.kb', 'size.mb', 'size.gb'];
      let value = Math.max(0, bytes);
      let unit = 0;
      while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
      }
      return `${number.format(unit === 0 ? Math.round(value) : value)} ${t(units[unit] ?? 'size.b')}`;
    },
  };
}

export interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  fmt: Formatters;
}

function makeI18n(locale: Locale, setLocale: (locale: Locale) => void): I18n {
  return {
    locale,
    setLocale,
    t: (key, params) => translate(locale, key, params),
    fmt: makeFormatters(locale),
  };
}

const I18nContext = createContext<I18n>(makeI18n(DEFAULT_LOCALE, () => undefined));

export function I18nProvider({ children, initialLocale }: { children: ReactNode; initialLocale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => initialLocale ?? storedLocale());
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    document.documentElement.lang = next;
  }, []);
  const value = useMemo(() => {
    if (typeof document !== 'undefined') document.documentElement.lang = locale;
    return makeI18n(locale, setLocale);
  }, [locale, setLocale]);
  return createElement(I18nContext.Provider, { value }, children);
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
