/** The part of Swagger UI's bundle the API page uses (the package ships no types of its own). */
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  interface SwaggerRequest {
    url: string;
    headers: Record<string, string>;
  }
  interface SwaggerUIOptions {
    url: string;
    domNode: HTMLElement;
    requestInterceptor?: (request: SwaggerRequest) => SwaggerRequest | Promise<SwaggerRequest>;
  }
  export default function SwaggerUI(options: SwaggerUIOptions): unknown;
}
