// The API's own docs page: Swagger UI from the site's assets, reading /openapi.json.
window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
