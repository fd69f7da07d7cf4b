/**
 * Russian: every word of every alert, written for a Russian reader rather than translated word for word.
 * Numbers follow Russian conventions through Intl (decimal comma, U+00A0 between thousands: "1 000,00";
 * the plural forms of "день", "задача"); dates read DD.MM.YYYY. Terms as Voximplant's Russian control panel
 * has them: аккаунт, баланс, панель управления, SIP-регистрация, Caller ID. Pure data: no AWS, no I/O.
 */
import { splitMinutes, type Messages } from './messages';

/** Full ICU (Node 22 and 24, Lambda's runtime) formats 1000 as "1 000,00" with U+00A0 and -3.2 as "-3,20". */
// Built on first use, not at import: loading ICU's Russian data costs the webhook's cold start ~25 ms
// (docs/performance.md), and most containers never write a Russian alert.
let decimalFormat: Intl.NumberFormat | undefined;
let pluralRules: Intl.PluralRules | undefined;
const DECIMAL = {
  format: (value: number) =>
    (decimalFormat ??= new Intl.NumberFormat('ru', { minimumFractionDigits: 2, maximumFractionDigits: 2 })).format(value),
};
const PLURAL = { select: (value: number) => (pluralRules ??= new Intl.PluralRules('ru')).select(value) };

/** A count with its noun in the right form ("1 день", "2 дня", "5 дней"); undefined for text that is no whole number. */
function counted(text: string, one: string, few: string, many: string): string | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const rule = PLURAL.select(Number(text));
  return `${text} ${rule === 'one' ? one : rule === 'few' ? few : many}`;
}

const TOP_UP = 'Пополните баланс в панели управления, пока звонки не остановились.';

export const ru: Messages = {
  smsEncoding: 'UCS-2',
  format: {
    decimal: (value) => DECIMAL.format(value),
    date: (day, time) => {
      const [year, month, date] = day.split('-');
      const shown = `${date}.${month}.${year}`;
      return time === undefined ? shown : `${shown} ${time} UTC`;
    },
    id: (id) => `ID ${id}`,
    yes: 'да',
    no: 'нет',
    unknown: 'неизвестно',
    noDetails: '(без подробностей)',
    andMore: (count) => `и ещё ${count}`,
    plusMore: (count) => `и ещё ${count}`,
  },
  labels: {
    account: 'Аккаунт',
    balance: 'Баланс',
    amount: 'Сумма',
    transactionId: 'ID транзакции',
    transactionType: 'Тип транзакции',
    documentId: 'ID документа',
    previousStatus: 'Прежний статус',
    status: 'Статус',
    legalStatus: 'Правовой статус',
    updatedAt: 'Обновлён',
    addressId: 'ID адреса',
    reportId: 'ID отчёта',
    result: 'Результат',
    orderedAt: 'Заказан',
    invoiceId: 'Номер счёта',
    invoiceDate: 'Дата счёта',
    received: 'Получен',
    tax: 'Налог',
    requiredForRenewal: 'Нужно для продления',
    missing: 'Не хватает',
    expires: 'Истекает',
    daysLeft: 'Осталось дней',
    callSessionId: 'ID сессии звонка',
    cost: 'Стоимость',
    yourNumber: 'Ваш номер',
    phoneNumber: 'Номер телефона',
    activationStatus: 'Статус активации',
    batchId: 'ID пакета',
    cancelledTasks: 'Отменено задач',
  },
  severity: { critical: 'критично', warning: 'предупреждение', info: 'к сведению' },
  types: {
    account_is_frozen: {
      what: 'аккаунт заморожен',
      summary: 'Аккаунт заморожен: звонки и другие услуги остановлены.',
      action: 'Чтобы разморозить аккаунт, пополните баланс в панели управления или напишите в поддержку Voximplant.',
      smsAction: 'Звонки стоят. Пополните баланс.',
    },
    card_payment_failed: {
      what: 'не прошла оплата картой',
      summary: 'Не прошёл автоматический платёж с карты.',
      action: 'Проверьте карту в панели управления или оплатите другим способом, пока не закончился баланс.',
      smsAction: 'Проверьте карту.',
    },
    uncharged_tariff: {
      what: 'не списана плата за тариф',
      summary: 'Не удалось списать плату за тариф аккаунта.',
      action: TOP_UP,
      smsAction: 'Пополните баланс.',
    },
    card_expired: {
      what: 'истёк срок карты',
      summary: 'Истёк срок действия привязанной платёжной карты.',
      action: 'Привяжите действующую карту в панели управления, чтобы автоплатежи не прервались.',
      smsAction: 'Привяжите новую карту.',
    },
    card_expires_in_month: {
      what: 'скоро истекает карта',
      summary: 'Срок действия привязанной платёжной карты истекает в течение месяца.',
      action: 'Привяжите новую карту в панели управления, пока действует текущая.',
      smsAction: 'Привяжите новую карту.',
    },
    js_fail: {
      what: 'ошибка в сценарии',
      summary: 'В сценарии VoxEngine произошла ошибка.',
      action: 'Найдите сценарий с ошибкой по логам в истории звонков в панели управления.',
      smsAction: 'Проверьте логи.',
    },
    reset_account_password_request: {
      what: 'запрошен сброс пароля',
      summary: 'Для аккаунта запросили сброс пароля.',
      action: 'Если никто из вашей команды этого не делал, защитите аккаунт: смените пароль, проверьте пользователей и API-ключи.',
      smsAction: 'Это не вы? Смените пароль.',
    },
    stagnant_account: {
      what: 'аккаунт неактивен',
      summary: 'Voximplant считает аккаунт неактивным.',
      action: 'Зайдите в панель управления, если аккаунт ещё нужен.',
    },
    account_is_unfrozen: { what: 'аккаунт разморожен', summary: 'Аккаунт разморожен: услуги снова работают.' },
    activate_successful: { what: 'аккаунт активирован', summary: 'Аккаунт активирован.' },
    plan_config: { what: 'тариф изменён', summary: 'Изменились настройки тарифа аккаунта.' },
    subscription_is_frozen: {
      what: 'подписка заморожена',
      summary: 'Подписки (например, аренда номеров) заморожены: их не удалось оплатить.',
      action: 'Пополните баланс и продлите замороженные подписки в панели управления, пока их не отключили.',
      smsAction: 'Пополните баланс.',
    },
    subscription_is_detached: {
      what: 'подписка отключена',
      summary: 'Подписки отключены от аккаунта.',
      action: 'Проверьте панель управления; если номер ещё нужен, арендуйте его снова.',
    },
    unverified_subscription_detached: {
      what: 'подписка отключена без верификации',
      summary: 'Подписки отключены: документы для верификации не были предоставлены вовремя.',
      action: 'Загрузите документы для верификации в панели управления, прежде чем арендовать снова.',
    },
    renewed_subscriptions: { what: 'подписки продлены', summary: 'Подписки продлены, плата списана.' },
    sip_registration_fail: {
      what: 'сбой SIP-регистрации',
      summary: 'SIP-регистрация не прошла: звонки на неё не дойдут до Voximplant, пока она не восстановится.',
      action: 'Проверьте логин и пароль SIP и работу провайдера; Voximplant сам повторяет регистрацию.',
      smsAction: 'Проверьте данные SIP.',
    },
    sip_registration_recovered: {
      what: 'SIP-регистрация восстановлена',
      summary: 'SIP-регистрация, которая давала сбой, снова работает.',
    },
    expiring_certificates: { what: 'истекает push-сертификат', summary: 'Скоро истекают сертификаты push-уведомлений.' },
    expired_certificates: {
      what: 'истёк push-сертификат',
      summary: 'Сертификаты push-уведомлений истекли: уведомления в эти приложения не доходят.',
    },
    account_document_status_updated: {
      what: 'статус документа изменён',
      summary: 'Изменился статус документа на верификации.',
      action: 'Проверьте документ в панели управления и загрузите его заново, если его отклонили.',
    },
    account_document_uploaded: { what: 'документ загружен', summary: 'Документ для верификации загружен.' },
    account_document_verified: { what: 'документ проверен', summary: 'Документ для верификации прошёл проверку.' },
    regulation_address_uploaded: { what: 'адрес загружен', summary: 'Подтверждение адреса загружено.' },
    regulation_address_verified: { what: 'адрес подтверждён', summary: 'Подтверждение адреса прошло проверку.' },
    regulation_address_documents_requested: {
      what: 'нужны документы на адрес',
      summary: 'Voximplant запрашивает документы, подтверждающие адрес.',
      action: 'Загрузите запрошенные документы в панели управления.',
      smsAction: 'Загрузите документы.',
    },
  },
  alert: {
    testSms: 'ТЕСТ, не тревога: ',
    testEmail: (name) =>
      `${name}: это проверка, а не настоящее уведомление, ничего делать не нужно. Она показывает, что уведомления до вас доходят.`,
    // One account per deployment: in 70 characters its name says enough, the id is in the email.
    smsAccount: (shortName, id) => `Аккаунт ${shortName ?? id}.`,
    account: (name, id) => (name === undefined ? `ID ${id}` : `«${name}» (ID ${id})`),
    whatToDo: 'Что сделать',
    controlPanel: 'Панель управления',
    footer: (callbackId, type, severity) => `Колбэк Voximplant ${callbackId}, тип ${type}, важность: ${severity}.`,
    chatTitle: (what, account) => `Voximplant, ${account}: ${what}`,
  },
  acknowledge: {
    link: 'Подтвердить получение (остановит напоминания, остальные узнают об этом)',
    remindersFollow: 'Напоминания будут приходить, пока кто-нибудь не подтвердит получение или проблема не будет решена.',
  },
  confirmation: {
    reasons: {
      'timed-out': 'API аккаунта Voximplant не ответил вовремя',
      refused: 'API аккаунта Voximplant не принял ключ этого стека (проверьте API-ключ в SSM)',
      unavailable: 'API аккаунта Voximplant был недоступен',
      'no-time': 'до отправки уведомления не осталось времени спросить Voximplant',
    },
    smsReasons: { 'timed-out': 'нет ответа', refused: 'ключ не принят', unavailable: 'API недоступен', 'no-time': 'нет времени' },
    sms: (balance, credit, frozen, time) =>
      `Проверено: ${balance ?? 'неизвестно'}${credit === undefined ? '' : `, кредит ${credit}`}${frozen ? ', ЗАМОРОЖЕН' : ''} в ${time}.`,
    smsUnconfirmed: (reason) => `Не проверено: ${reason}.`,
    balanceFromCallback: 'Баланс (по данным колбэка)',
    confirmedBalance: 'Подтверждённый баланс',
    creditLimit: 'Кредитный лимит',
    frozen: 'Заморожен',
    confirmedAt: 'Проверено',
    source: '(по данным API Voximplant)',
    unknownTime: 'время неизвестно',
    notConfirmed: (reason) => `не подтверждён: ${reason}`,
    unsignedNote: 'Суммы выше взяты из колбэка, а его тело не подписано. Проверьте баланс в панели управления.',
    toppedUp: (threshold) => `Подтверждённый баланс не ниже порога уведомления (${threshold}): возможно, счёт уже пополнили после колбэка.`,
    unfrozen: 'Voximplant сообщает, что сейчас аккаунт не заморожен: возможно, его разморозили после колбэка.',
  },
  unknown: {
    what: (name) => `колбэк ${name}`,
    notKnown: (name) => `Voximplant прислал колбэк типа «${name}», а этот приёмник такого типа не знает.`,
    notRendered: (name) => `Пришёл колбэк типа «${name}», но показать его подробно не удалось.`,
    hidden: 'Его данные здесь не показаны: посмотрите их в панели управления.',
  },
  payment: {
    what: 'платёж зачислен',
    summary: (amount, via) => `На баланс зачислен платёж${amount ? ` ${amount}` : ''} (${via}).`,
    via: { card_payment: 'банковская карта', robokassa_payment: 'Робокасса', wire_transfer: 'банковский перевод' },
  },
  subscriptions: {
    heading: 'Подписки:',
    cost: (amount) => `стоимость ${amount}`,
    nextRenewal: (date) => `следующее продление ${date}`,
    unnamed: 'подписка без названия',
  },
  sip: { heading: 'SIP-регистрации:', status: (code) => `код ${code}` },
  certificates: {
    heading: 'Сертификаты:',
    credential: (id) => `учётные данные ${id}`,
    expired: (date) => `истёк ${date}`,
    expires: (date) => `истекает ${date}`,
    applications: (list) => `приложения: ${list}`,
    unnamed: 'сертификат',
    action: 'Загрузите новый push-сертификат для каждого приложения в панели управления.',
    smsAction: 'Обновите сертификаты.',
  },
  document: { comment: 'Voximplant оставил комментарий: прочитайте его в панели управления.' },
  report: {
    names: { call_history_report: 'отчёт по истории звонков', transaction_history_report: 'отчёт по истории транзакций' },
    ready: {
      what: (name) => `${name} готов`,
      summary: (name) => `Заказанный ${name} готов.`,
      result: 'готов',
      action: 'Скачайте его в панели управления или через API.',
    },
    failed: {
      what: (name) => `${name} не сформирован`,
      summary: (name) => `Заказанный ${name} сформировать не удалось.`,
      result: 'ошибка',
      action: 'Закажите отчёт ещё раз в панели управления или через API.',
    },
  },
  invoice: {
    what: 'выставлен счёт',
    summary: 'Аккаунту выставлен новый счёт.',
    action: 'Проверьте счёт в панели управления.',
  },
  minBalance: {
    low: 'низкий баланс',
    stillLow: 'баланс всё ещё низкий',
    creditLimit: 'достигнут кредитный лимит',
    belowThreshold: 'Баланс аккаунта опустился ниже порога уведомления.',
    creditReached: 'Аккаунт достиг кредитного лимита: когда кредит закончится, звонки и услуги остановятся.',
    reminder: 'Это напоминание: баланс всё ещё низкий.',
    action: TOP_UP,
    smsAction: 'Пополните баланс.',
  },
  nextCharge: {
    what: 'нечем оплатить продление',
    // One number fits 70 characters: the shortfall is what to pay; the email has both.
    detail: (required, missing) => (missing ? `не хватает ${missing}` : required && `нужно ${required}`),
    summary: 'Через 3 дня подписки продлеваются, а баланса на это не хватает.',
    action: 'Пополните баланс в панели управления в течение 3 дней хотя бы на недостающую сумму, иначе подписки заморозят.',
    smsAction: 'Пополните за 3 дня.',
  },
  callerIds: {
    what: 'истекает Caller ID',
    on: (date) => date,
    summary: 'Скоро истекает подтверждение номеров Caller ID; после этого их нельзя будет показывать при звонках.',
    heading: 'Номера Caller ID:',
    action: 'Подтвердите номера Caller ID заново в панели управления, пока срок не истёк.',
    smsAction: 'Подтвердите номера заново.',
  },
  agreementExpiring: {
    what: 'истекает верификация',
    inDays: (days) => {
      const left = counted(days, 'день', 'дня', 'дней');
      return left === undefined ? `осталось дней: ${days}` : `через ${left}`;
    },
    summary: 'Скоро заканчивается срок верификации документов аккаунта.',
    action: 'Загрузите актуальные документы для верификации в панели управления.',
    smsAction: 'Загрузите документы.',
  },
  agreementExpired: {
    what: 'верификация истекла',
    document: (detail) => `документ ${detail}`,
    summary: 'Срок верификации документов истёк; номера, которым она нужна, могут отключить.',
    heading: 'Документы:',
    action: 'Загрузите новые документы для верификации в панели управления.',
    smsAction: 'Загрузите документы.',
  },
  agreementRestored: { what: 'верификация восстановлена', summary: 'Статус верификации документов восстановлен.' },
  transcription: {
    what: 'расшифровка готова',
    session: (id) => `сессия ${id}`,
    summary: 'Расшифровка звонка готова. Ссылок на запись здесь нет: откройте историю звонков в панели управления.',
  },
  smsInbound: {
    what: 'входящее SMS',
    to: (number) => `на ${number}`,
    summary: 'На ваш номер в Voximplant пришло SMS. Отправитель и текст не показаны: это чужие личные данные.',
  },
  numberActivation: { what: 'изменилась активация номера', summary: 'Изменился статус активации арендованного номера.' },
  a2p: {
    what: (enabled) => (enabled === undefined ? 'изменён статус A2P SMS' : enabled ? 'A2P SMS включены' : 'A2P SMS выключены'),
    summary: (enabled) =>
      enabled === undefined
        ? 'Изменился статус отправки A2P SMS для аккаунта.'
        : `Отправка A2P SMS для аккаунта ${enabled ? 'включена' : 'выключена'}.`,
  },
  batchCancelled: {
    what: 'пакет задач отменён',
    tasks: (count) => counted(count, 'задача', 'задачи', 'задач') ?? `задач: ${count}`,
    summary: 'Отмена пакета задач завершена.',
  },
  balanceChanged: { what: 'баланс изменился', summary: 'Баланс аккаунта изменился.' },
  incident: {
    kinds: {
      low_balance: 'низкий баланс',
      account_frozen: 'аккаунт заморожен',
      sip_registration: 'сбой SIP-регистрации',
      card_payment_failed: 'не прошёл платёж картой',
      callback_url_wrong: 'неверный адрес колбэков',
      callback_salt_wrong: 'неверная соль колбэков',
    },
    actions: {
      low_balance: { action: TOP_UP, smsAction: 'Пополните баланс.' },
      account_frozen: {
        action: 'Пополните баланс в панели управления или напишите в поддержку Voximplant, чтобы разморозить аккаунт.',
        smsAction: 'Пополните баланс.',
      },
      sip_registration: {
        action: 'Проверьте логин и пароль SIP и работу провайдера; Voximplant сам повторяет регистрацию.',
        smsAction: 'Проверьте данные SIP.',
      },
      card_payment_failed: {
        action: 'Проверьте карту в панели управления или оплатите другим способом, пока баланс не закончился.',
        smsAction: 'Проверьте карту.',
      },
      callback_url_wrong: {
        action: 'Подключите стек заново: команда configure с ключом --connect, или укажите в панели управления адрес из вывода WebhookUrl.',
        smsAction: 'Исправьте адрес вебхука.',
      },
      callback_salt_wrong: {
        action: 'Подключите стек заново: команда configure с ключом --connect, или задайте одинаковую соль в SSM и в Voximplant.',
        smsAction: 'Исправьте соль.',
      },
    },
    duration: (minutes) => {
      const [days, hours, mins] = splitMinutes(minutes);
      if (days > 0) return hours > 0 ? `${days} дн. ${hours} ч` : `${days} дн.`;
      if (hours > 0) return mins > 0 ? `${hours} ч ${mins} мин` : `${hours} ч`;
      return mins > 0 ? `${mins} мин` : 'меньше минуты';
    },
    labels: {
      incident: 'Инцидент',
      openedAt: 'Открыт',
      lastBalance: 'Последний известный баланс',
      sipStatus: 'Последний статус SIP',
      repeats: 'Повторов от Voximplant',
      level: 'Эскалация',
      acknowledgedAt: 'Принят',
      resolvedAt: 'Закрыт',
    },
    reminder: {
      what: (kind, openFor) => `${kind}, открыто ${openFor}`,
      summary: (kind, openFor, repeats) =>
        `Напоминание: ${kind}, инцидент открыт ${openFor}, и никто его не принял. ` +
        (repeats > 0 ? `Повторов уведомления от Voximplant: ${repeats}.` : 'Voximplant уведомление не повторял.'),
      acknowledge: 'Принять (напоминания прекратятся, остальные получат извещение)',
      noLink: 'Ссылки «принять» нет: у стека нет ключа подтверждения в SSM.',
      number: (reminder, level) => `напоминание ${reminder}, уровень ${level}`,
    },
    acknowledged: {
      what: (kind) => `${kind}: инцидент принят`,
      summary: (kind, by) =>
        `${by ?? 'Кто-то'} принял инцидент (${kind}): напоминания прекращены. Инцидент открыт, пока проблема не решена.`,
      sms: (by) => `Принял: ${by ?? 'кто-то'}. Напоминаний не будет.`,
    },
    resolved: {
      what: (kind, lasted) => `${kind}: решено за ${lasted}`,
      summary: (kind, how, lasted) => `Инцидент (${kind}) закрыт: ${how}. Он длился ${lasted}.`,
      by: {
        card_payment: 'пришёл платёж картой',
        robokassa_payment: 'пришёл платёж через Робокассу',
        wire_transfer: 'пришёл банковский перевод',
        account_is_unfrozen: 'Voximplant разморозил аккаунт',
        sip_registration_recovered: 'SIP-регистрация восстановилась',
      },
      watchdog: {
        low_balance: 'сторож увидел, что баланс снова выше порога',
        account_frozen: 'сторож увидел, что аккаунт разморожен',
        sip_registration: 'так решил сторож',
        card_payment_failed: 'сторож увидел, что баланс снова выше порога',
        callback_url_wrong: 'сторож увидел, что адрес колбэков исправлен',
        callback_salt_wrong: 'сторож увидел, что соль колбэков исправлена',
      },
      other: 'пришло более позднее событие',
      sms: 'Делать ничего не нужно.',
    },
    footer: (key, severity) => `Инцидент ${key}, важность: ${severity}.`,
  },
};
