/**
 * The Amazon Q Developer in chat applications custom notification, as a JSON Schema (draft 2020-12), written
 * from "Custom notifications using Amazon Q Developer in chat applications"
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): Event schema and Parameter
 * details. Required: version "1.0", source "custom", content.title, content.description; textType
 * "client-markdown"; title at most 250 and description at most 8,000 characters; nextSteps and keywords lists
 * of strings; metadata's threadId, summary, eventType, relatedResources, additionalContext (string values).
 * Nothing else is in the documented format, so nothing else is allowed here.
 */
import Ajv2020 from 'ajv/dist/2020';

const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const CUSTOM_NOTIFICATION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['version', 'source', 'content'],
  additionalProperties: false,
  properties: {
    version: { const: '1.0' },
    source: { const: 'custom' },
    id: { type: 'string', minLength: 1 },
    content: {
      type: 'object',
      required: ['title', 'description'],
      additionalProperties: false,
      properties: {
        textType: { const: 'client-markdown' },
        title: { type: 'string', minLength: 1, maxLength: 250 },
        description: { type: 'string', minLength: 1, maxLength: 8000 },
        nextSteps: strings,
        keywords: strings,
      },
    },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: {
        threadId: { type: 'string', minLength: 1 },
        summary: { type: 'string' },
        eventType: { type: 'string' },
        relatedResources: strings,
        additionalContext: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
} as const;

/** A validator: `validate(value)` is true or `validate.errors` says why. */
export const validateCustomNotification = new Ajv2020({ allErrors: true, strict: true }).compile(CUSTOM_NOTIFICATION_SCHEMA);
