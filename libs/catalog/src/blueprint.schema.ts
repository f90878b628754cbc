// The blueprint shape is part of the API contract (the web app validates with it too).
export { blueprintBody, blueprintIdentifier, entityIdentifier, type BlueprintBody } from '@mooring/contract';
