/**
 * The AWS actions a handler's code can reach, read from the source with the
 * TypeScript checker: from the handler module, every function it calls,
 * transitively; a call of a port's method (`deps.posts.get(...)`) reaches the
 * implementations of that member (the properties of object literals typed by
 * the port) in the handler's own service and the shared kit, so a read
 * function does not reach the writes of its service's other adapter methods.
 * Functions run only where called: a builder's returned object literal's
 * methods are not reached by building it, nor a row's properties by reading
 * them. In the code reached, an SDK command (`new PutCommand(`), a
 * transaction's item (`{ Put: ... }`, `{ ConditionCheck: ... }`), a
 * Powertools idempotency store or an `@connections` request path is an action.
 *
 * An over-approximation: a branch the function never takes at run time (a
 * deletion's path on a creation) still counts; the permissions list names
 * such actions in `notGranted`. It reads actions, not which table a command
 * names.
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** SDK commands (lib-dynamodb, client-dynamodb, EventBridge, SQS) and the IAM action each needs. */
const COMMAND_ACTIONS: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  GetItemCommand: ['dynamodb:GetItem'],
  PutCommand: ['dynamodb:PutItem'],
  PutItemCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  UpdateItemCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  DeleteItemCommand: ['dynamodb:DeleteItem'],
  QueryCommand: ['dynamodb:Query'],
  ScanCommand: ['dynamodb:Scan'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchGetItemCommand: ['dynamodb:BatchGetItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  BatchWriteItemCommand: ['dynamodb:BatchWriteItem'],
  TransactGetCommand: ['dynamodb:GetItem'],
  PutEventsCommand: ['events:PutEvents'],
  SendMessageCommand: ['sqs:SendMessage'],
  SendMessageBatchCommand: ['sqs:SendMessage'],
  PostToConnectionCommand: ['execute-api:ManageConnections'],
  DeleteConnectionCommand: ['execute-api:ManageConnections'],
  // Powertools idempotency's store: records (Put), reads (Get), completes (Update), drops a failed one (Delete).
  DynamoDBPersistenceLayer: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
};

/** Helpers that call an SDK command from a library (not read here). */
const CALL_ACTIONS: Record<string, string[]> = {
  paginateQuery: ['dynamodb:Query'],
  paginateScan: ['dynamodb:Scan'],
};

/** A TransactWriteItems needs each item's own action on its table (there is no TransactWriteItems action). */
const TRANSACTION_ITEMS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** The `@connections` management API, called by signed HTTP requests (services/connections/src/adapters/connections-api.ts). */
const CONNECTIONS_PATH = /\/@connections\//;

type FunctionLike = ts.FunctionLikeDeclaration;

const isOwnSource = (file: ts.SourceFile) =>
  !file.isDeclarationFile && !file.fileName.includes('/node_modules/');

/** A function that runs only when called: it is read when something refers to it, not where it is written. */
const isDeferred = (node: ts.Node): boolean => {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return true;
  if (ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isConstructorDeclaration(node)) return true;
  if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) return false;
  const parent = node.parent;
  return (
    (ts.isVariableDeclaration(parent) && parent.initializer === node) ||
    (ts.isPropertyAssignment(parent) && parent.initializer === node) ||
    (ts.isPropertyDeclaration(parent) && parent.initializer === node)
  );
};

/** The identifier names a declaration (or a property in a literal), not a use. */
const isDeclarationName = (id: ts.Identifier): boolean => {
  const parent = id.parent;
  return (
    ((ts.isVariableDeclaration(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isBindingElement(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isImportSpecifier(parent) ||
      ts.isImportClause(parent) ||
      // `{ publish }` returned by a builder: reached as the implementation of a port's member.
      ts.isShorthandPropertyAssignment(parent)) &&
      parent.name === id) ||
    (ts.isBindingElement(parent) && parent.propertyName === id)
  );
};

/** `f(...)`, `new F(...)`, `x.f(...)`: the identifier is what is called. */
const isCallee = (id: ts.Identifier): boolean => {
  const parent = id.parent;
  const callee = ts.isPropertyAccessExpression(parent) && parent.name === id ? parent : id;
  const call = callee.parent;
  return (ts.isCallExpression(call) || ts.isNewExpression(call)) && call.expression === callee;
};

/** A property of an interface, type or object literal. */
const isMember = (declaration: ts.Node): boolean =>
  ts.isPropertySignature(declaration) ||
  ts.isMethodSignature(declaration) ||
  ts.isPropertyAssignment(declaration) ||
  ts.isShorthandPropertyAssignment(declaration) ||
  (ts.isMethodDeclaration(declaration) && ts.isObjectLiteralExpression(declaration.parent));

export interface CodeActionsReader {
  /** The actions the handler module at this path (a `.ts` file) can reach, each with where (file:line) it is first met. */
  actionsOf(handlerFile: string): Map<string, string>;
}

/** `services/<name>/` of a file, if it is a service's. */
const serviceOf = (fileName: string) => /\/services\/[^/]+\//.exec(fileName)?.[0];

/** One TypeScript program over the repository (tsconfig.json), read once for every handler. */
export function createCodeActionsReader(root: string): CodeActionsReader {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  const program = ts.createProgram({
    // The services' code and the kit they run on (imports bring in the rest).
    rootNames: parsed.fileNames.filter(
      (file) => /\/(services\/[^/]+|shared|events)\/src\//.test(file) && !/\.test\.tsx?$/.test(file),
    ),
    options: parsed.options,
  });
  const checker = program.getTypeChecker();

  // Port members -> their implementations: each property of an object literal typed by the port.
  const implementations = new Map<ts.Node, ts.Node[]>();
  const indexLiteral = (literal: ts.ObjectLiteralExpression) => {
    const type = checker.getContextualType(literal);
    if (!type) return;
    for (const property of literal.properties) {
      if (!property.name || !ts.isIdentifier(property.name)) continue;
      const member =
        type.getProperty(property.name.text) ?? checker.getPropertyOfType(type, property.name.text);
      for (const declaration of member?.declarations ?? []) {
        if (declaration === property) continue;
        implementations.set(declaration, [...(implementations.get(declaration) ?? []), property]);
      }
    }
  };
  for (const file of program.getSourceFiles()) {
    if (!isOwnSource(file)) continue;
    const visit = (node: ts.Node) => {
      if (ts.isObjectLiteralExpression(node)) indexLiteral(node);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const symbolAt = (node: ts.Node) => {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  };

  const actionsOf = (handlerFile: string): Map<string, string> => {
    const source = program.getSourceFile(handlerFile);
    if (!source) throw new Error(`${handlerFile} is not in the program (tsconfig.json)`);
    const service = serviceOf(source.fileName);
    const found = new Map<string, string>();
    const actions = {
      add: (action: string, node: ts.Node) => {
        if (found.has(action)) return;
        const file = node.getSourceFile();
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.set(action, `${file.fileName.slice(root.length + 1)}:${line + 1}`);
      },
    };
    const seen = new Set<ts.Node>();

    /** What running this declaration (or implementation) reaches. */
    const reach = (declaration: ts.Node) => {
      if (seen.has(declaration) || !isOwnSource(declaration.getSourceFile())) return;
      seen.add(declaration);
      if (ts.isVariableDeclaration(declaration) || ts.isPropertyAssignment(declaration)) {
        if (declaration.initializer) body(declaration.initializer);
      } else if (ts.isShorthandPropertyAssignment(declaration)) {
        const value = checker.getShorthandAssignmentValueSymbol(declaration);
        for (const valueDeclaration of value?.declarations ?? []) reach(valueDeclaration);
      } else if (ts.isFunctionLike(declaration) && 'body' in declaration) {
        body(declaration as FunctionLike);
      } else if (ts.isPropertySignature(declaration) || ts.isMethodSignature(declaration)) {
        // A service runs its own implementations and the kit's, never another service's.
        for (const implementation of implementations.get(declaration) ?? []) {
          const owner = serviceOf(implementation.getSourceFile().fileName);
          if (owner === undefined || owner === service) reach(implementation);
        }
      } else if (ts.isPropertyDeclaration(declaration) && declaration.initializer) {
        body(declaration.initializer);
      }
    };

    /** Walks code that runs: nested functions that only run when called are skipped (reached by reference). */
    const body = (start: ts.Node) => {
      const walk = (node: ts.Node) => {
        if (node !== start && isDeferred(node)) return;
        if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
          const callee = node.expression;
          const name = ts.isIdentifier(callee)
            ? callee.text
            : ts.isPropertyAccessExpression(callee)
              ? callee.name.text
              : '';
          const known = ts.isNewExpression(node) ? COMMAND_ACTIONS : CALL_ACTIONS;
          for (const action of Object.hasOwn(known, name) ? (known[name] ?? []) : [])
            actions.add(action, node);
        }
        if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
          const action =
            Object.hasOwn(TRANSACTION_ITEMS, node.name.text) && TRANSACTION_ITEMS[node.name.text];
          if (action && ts.isObjectLiteralExpression(node.parent)) actions.add(action, node);
        }
        if (
          (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node)) &&
          CONNECTIONS_PATH.test(node.text)
        )
          actions.add('execute-api:ManageConnections', node);
        if (ts.isIdentifier(node) && !isDeclarationName(node)) {
          const called = isCallee(node);
          for (const declaration of symbolAt(node)?.declarations ?? []) {
            // A member runs only when called: reading a row's `seq` runs nothing that built the row.
            if (called || !isMember(declaration)) reach(declaration);
          }
        }
        ts.forEachChild(node, walk);
      };
      if (ts.isFunctionLike(start) && 'body' in start && start.body) {
        ts.forEachChild(start, walk);
      } else {
        walk(start);
      }
    };

    body(source);
    return found;
  };

  return { actionsOf };
}
