/** Injection token of a service's validated settings (an instance of its env class). */
export const SERVICE_ENV = Symbol('SERVICE_ENV');
