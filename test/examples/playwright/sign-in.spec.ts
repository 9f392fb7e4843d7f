import { expect, test } from '@playwright/test';

test('dana signs in to the app on dev-op\'s login page', async ({ page }) => {
  await page.goto(process.env.APP_URL!);
  // The app sent the browser to dev-op, which lists its users as cards.
  await expect(page).toHaveURL(new RegExp(`^${process.env.ISSUER}/`));
  await page.getByRole('button', { name: /Dana Tester/ }).click();
  await expect(page.getByRole('heading')).toHaveText('Signed in as Dana Tester');
});
