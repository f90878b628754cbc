import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { useNavigate, useSearchParams } from 'react-router';
import { call } from '../api/client';
import { keys } from '../api/queries';
import { TextField } from '../components/fields';
import { ErrorMessage } from '../components/states';

interface SignInForm {
  email: string;
  password: string;
}

/** Only paths inside the console: `next` must never send the browser to another origin. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/data-sources';
}

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<SignInForm>({ defaultValues: { email: '', password: '' } });
  const signIn = useMutation({
    mutationFn: (values: SignInForm) => call(api.auth.signIn, { body: values }),
    onSuccess: async () => {
      queryClient.clear();
      await queryClient.fetchQuery({ queryKey: keys.session, queryFn: () => call(api.auth.me) });
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  const { errors } = form.formState;

  return (
    <main className="auth-page">
      <div className="card auth-card">
        <div className="brand" style={{ color: 'var(--text)', padding: 0 }}>
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          Mooring
        </div>
        <div>
          <h1>Sign in</h1>
          <p className="muted">to your organization&apos;s integration console</p>
        </div>
        {signIn.isError ? <ErrorMessage error={signIn.error} /> : null}
        <form className="form" noValidate onSubmit={form.handleSubmit((values) => signIn.mutate(values))}>
          <TextField
            id="email"
            label="Email"
            type="email"
            autoComplete="username"
            autoFocus
            error={errors.email?.message}
            registration={form.register('email', { required: 'is required' })}
          />
          <TextField
            id="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            error={errors.password?.message}
            registration={form.register('password', { required: 'is required' })}
          />
          <button type="submit" className="primary" disabled={signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
