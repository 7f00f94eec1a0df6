export { parsePayload } from './parse-payload.js';
export { derivedEventId } from './event-id.js';
export { AUDIT_COMMON_FIELDS } from './events.js';
export { PARSE_REASONS, type ParseOptions, type ParseReason, type ParseResult, type ParsedEvent, type Reject } from './types.js';
export { countEvents } from './count-events.js';
