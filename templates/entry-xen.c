/* The Xen backend brings the platform up, then boots this application. */
const struct mr_app *const mr_xen_app = &app;
